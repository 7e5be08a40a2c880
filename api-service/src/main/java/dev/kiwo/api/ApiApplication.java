package dev.kiwo.api;

public class ApiApplication {
    public static void main(String[] args) {
    }
}
