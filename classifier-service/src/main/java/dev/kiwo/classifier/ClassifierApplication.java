package dev.kiwo.classifier;

public class ClassifierApplication {
    public static void main(String[] args) {
    }
}
