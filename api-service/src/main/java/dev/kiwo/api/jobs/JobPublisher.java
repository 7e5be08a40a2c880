package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Hands an accepted job to the rest of the system. */
interface JobPublisher {

    /**
     * Starts storing the job and returns at once; no thread waits for the outcome.
     *
     * @return completes once the job is durably stored, or exceptionally with {@link JobNotPublishedException} if
     *         that did not happen within the configured bound
     */
    CompletableFuture<Void> publish(Job job, String correlationId);

    /**
     * Starts storing the jobs of a batch, in order, and returns at once. Once a job failed at once (Kafka never
     * reached: each send would first block for the produce timeout) the rest are not sent, so a batch fails within
     * one produce timeout, like a single job. This default publishes job by job; an implementation may do the same
     * more cheaply for the batch as a whole.
     *
     * @return completes once every job is durably stored, or exceptionally with {@link BatchNotPublishedException}
     *         saying how many were sent and how many stored
     */
    default CompletableFuture<Void> publishAll(List<Job> jobs, String correlationId) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            CompletableFuture<Void> ack = publish(job, correlationId);
            acks.add(ack);
            if (ack.isCompletedExceptionally()) {
                break;
            }
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((all, failure) -> {
            if (failure == null) {
                return null;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof JobNotPublishedException notPublished) {
                int acknowledged = (int) acks.stream().filter(ack -> !ack.isCompletedExceptionally()).count();
                throw new BatchNotPublishedException(notPublished, jobs.size(), acks.size(), acknowledged);
            }
            throw new CompletionException(cause);
        });
    }
}
