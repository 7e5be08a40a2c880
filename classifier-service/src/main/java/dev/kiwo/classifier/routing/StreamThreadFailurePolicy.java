package dev.kiwo.classifier.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when an exception escapes a stream thread (the record, deserialization and production handlers
 * having let it through). The thread is replaced, at most {@code maxReplacements} times within {@code window}:
 * an error that passes (a broker moment, a fenced producer that survived the client's own retries) costs a
 * restart of one thread, whose uncommitted transaction is aborted and whose records are read again. More
 * failures in the window mean the error comes back with the same records, and replacing again would loop in
 * place; the client shuts down instead, reaches {@code ERROR}, the liveness probe sees
 * {@link KafkaStreamsLivenessIndicator} down and Kubernetes restarts the pod, with a back-off and a restart count
 * that an alert can watch. A JVM {@link Error} (out of memory, a linkage error) is not replaced: the JVM is no
 * longer trusted.
 */
final class StreamThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailurePolicy.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replacements = new ArrayDeque<>();

    StreamThreadFailurePolicy(int maxReplacements, Duration window, Clock clock) {
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        Instant now = clock.instant();
        while (!replacements.isEmpty() && !replacements.peekFirst().isAfter(now.minus(window))) {
            replacements.removeFirst();
        }
        if (exception instanceof Error || replacements.size() >= maxReplacements) {
            LOG.error("A stream thread failed ({} replaced in the last {}): shutting the Streams client down so "
                    + "that liveness fails and the pod is restarted", replacements.size(), window, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        LOG.warn("A stream thread failed, replacing it ({} of {} in {})", replacements.size(), maxReplacements,
                window, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
