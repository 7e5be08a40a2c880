package dev.kiwo.classifier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Classifies every job on {@code jobs.in} and routes it to {@code jobs.light} or {@code jobs.heavy}. */
@SpringBootApplication
public class ClassifierApplication {

    public static void main(String[] args) {
        SpringApplication.run(ClassifierApplication.class, args);
    }
}
