package dev.kiwo.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest application that runs the worker, as a pool application does. */
@SpringBootApplication
class WorkerTestApplication {
}
