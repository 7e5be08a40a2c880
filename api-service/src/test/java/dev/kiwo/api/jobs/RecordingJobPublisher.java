package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double for the Kafka hand-off: records what would have been produced, or fails on demand. Like the real
 * publisher, a failure comes as a failed future, and {@link #holdAcknowledgements()} keeps the futures pending
 * until {@link #acknowledge()}, as a broker that is slow to acknowledge would.
 */
final class RecordingJobPublisher implements JobPublisher {

    record Published(Job job, String correlationId) {
    }

    private final List<Published> published = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> acknowledgement = new CompletableFuture<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile RuntimeException failure;
    private volatile int failAfter;
    private volatile boolean holding;

    @Override
    public CompletableFuture<Void> publish(Job job, String correlationId) {
        RuntimeException toFail = failure;
        if (toFail != null && attempts.getAndIncrement() >= failAfter) {
            return CompletableFuture.failedFuture(toFail);
        }
        published.add(new Published(job, correlationId));
        return holding ? acknowledgement.copy() : CompletableFuture.completedFuture(null);
    }

    List<Published> published() {
        return List.copyOf(published);
    }

    /** Every publish from now on fails with {@code failure}. */
    void failWith(RuntimeException failure) {
        failAfter(0, failure);
    }

    /** The next {@code succeeding} publishes succeed, every later one fails with {@code failure}. */
    void failAfter(int succeeding, RuntimeException failure) {
        this.failAfter = succeeding;
        this.attempts.set(0);
        this.failure = failure;
    }

    /** Publishes from now on complete only once {@link #acknowledge()} is called. */
    void holdAcknowledgements() {
        holding = true;
    }

    void acknowledge() {
        acknowledgement.complete(null);
    }

    void reset() {
        published.clear();
        failure = null;
        holding = false;
        acknowledgement = new CompletableFuture<>();
    }
}
