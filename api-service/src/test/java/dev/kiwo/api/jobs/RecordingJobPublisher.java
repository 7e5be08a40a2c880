package dev.kiwo.api.jobs;

import dev.kiwo.model.Job;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test double for the Kafka hand-off: records what would have been produced, or fails on demand. */
final class RecordingJobPublisher implements JobPublisher {

    record Published(Job job, String correlationId) {
    }

    private final List<Published> published = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failure;

    @Override
    public void publish(Job job, String correlationId) {
        RuntimeException toThrow = failure;
        if (toThrow != null) {
            throw toThrow;
        }
        published.add(new Published(job, correlationId));
    }

    List<Published> published() {
        return List.copyOf(published);
    }

    void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    void reset() {
        published.clear();
        failure = null;
    }
}
