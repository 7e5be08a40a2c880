package dev.kiwo.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The smallest application that runs the worker, as a pool application does. */
@SpringBootApplication
class WorkerTestApplication {

    /** Jobs whose next result transaction is to fail after the result is sent, as a crash there would. */
    static final Set<String> CRASH_BEFORE_COMMIT = ConcurrentHashMap.newKeySet();

    @Bean
    ResultPublisher.BeforeResultCommit crashBeforeCommit() {
        return result -> {
            if (CRASH_BEFORE_COMMIT.remove(result.jobId())) {
                throw new IllegalStateException("Simulated crash before the result of job " + result.jobId()
                        + " was committed");
            }
        };
    }
}
