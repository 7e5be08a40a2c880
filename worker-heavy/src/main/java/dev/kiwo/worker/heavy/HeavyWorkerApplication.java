package dev.kiwo.worker.heavy;

public class HeavyWorkerApplication {
    public static void main(String[] args) {
    }
}
