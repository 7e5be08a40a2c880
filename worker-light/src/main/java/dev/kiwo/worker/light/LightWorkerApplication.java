package dev.kiwo.worker.light;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The light worker pool: worker-core's auto-configuration with this pool's application.yaml. */
@SpringBootApplication
public class LightWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(LightWorkerApplication.class, args);
    }
}
