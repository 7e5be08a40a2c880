package dev.kiwo.load;

public class LoadGenerator {
    public static void main(String[] args) {
    }
}
