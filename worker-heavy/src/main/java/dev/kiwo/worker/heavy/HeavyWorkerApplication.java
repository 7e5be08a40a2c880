package dev.kiwo.worker.heavy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The heavy worker pool: worker-core's auto-configuration with this pool's application.yaml. */
@SpringBootApplication
public class HeavyWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(HeavyWorkerApplication.class, args);
    }
}
