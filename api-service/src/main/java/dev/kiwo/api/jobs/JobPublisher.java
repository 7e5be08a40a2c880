package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.util.concurrent.CompletableFuture;

/** Hands an accepted job to the rest of the system. */
interface JobPublisher {

    /**
     * Starts storing the job and returns at once; no thread waits for the outcome.
     *
     * @return completes once the job is durably stored, or exceptionally with {@link JobNotPublishedException} if
     *         that did not happen within the configured bound
     */
    CompletableFuture<Void> publish(Job job, String correlationId);
}
