package dev.kiwo.worker.light;

public class LightWorkerApplication {
    public static void main(String[] args) {
    }
}
