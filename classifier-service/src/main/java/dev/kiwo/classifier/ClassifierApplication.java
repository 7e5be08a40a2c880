package dev.kiwo.classifier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Classifies every job on {@code jobs.in}, routes it to {@code jobs.light} or {@code jobs.heavy} and announces it
 * as QUEUED on {@code jobs.status}.
 */
@SpringBootApplication
public class ClassifierApplication {

    public static void main(String[] args) {
        SpringApplication.run(ClassifierApplication.class, args);
    }
}
