package dev.kiwo.worker;

import dev.kiwo.model.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What a worker pool is and how it works, bound from {@code kiwo.worker.*}.
 *
 * @param pool          name of the pool reported in every result and metric ({@code light}, {@code heavy})
 * @param instance      name of this worker in results; blank means the HOSTNAME variable (the pod name) or
 *                      the local host name
 * @param topics        the classified-job topics this pool consumes; a shared pool lists both
 * @param resultTimeout how long to wait for the broker to acknowledge a result before the record fails
 * @param cost          the CPU cost model
 * @param retry         how records that fail for reasons other than deserialization are retried
 */
@ConfigurationProperties("kiwo.worker")
public record WorkerProperties(
        String pool,
        String instance,
        List<String> topics,
        @DefaultValue("10s") Duration resultTimeout,
        @DefaultValue Cost cost,
        @DefaultValue Retry retry) {

    private static final Set<String> JOB_TOPICS = Set.of(Topics.JOBS_LIGHT.name(), Topics.JOBS_HEAVY.name());

    public WorkerProperties {
        if (pool == null || pool.isBlank()) {
            throw new IllegalArgumentException("kiwo.worker.pool is required");
        }
        instance = instance == null || instance.isBlank() ? defaultInstance() : instance;
        if (topics == null || topics.isEmpty()) {
            throw new IllegalArgumentException("kiwo.worker.topics must list at least one topic");
        }
        // The listener reads ClassifiedJob values, which only these topics carry.
        for (String topic : topics) {
            if (!JOB_TOPICS.contains(topic)) {
                throw new IllegalArgumentException("kiwo.worker.topics may only contain " + JOB_TOPICS + ", was " + topic);
            }
        }
        topics = List.copyOf(topics);
        requirePositive("kiwo.worker.result-timeout", resultTimeout);
    }

    private static String defaultInstance() {
        String hostname = System.getenv("HOSTNAME");
        if (hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, was " + value);
        }
    }

    /**
     * The CPU cost of a job: {@code scale * (fileSizeMb * msPerMb + pageCount * msPerPage + imageCount * msPerImage)}
     * milliseconds, at most {@code max}.
     */
    public record Cost(
            @DefaultValue("1.0") double scale,
            @DefaultValue("20") double msPerMb,
            @DefaultValue("5") double msPerPage,
            @DefaultValue("20") double msPerImage,
            @DefaultValue("30s") Duration max) {

        public Cost {
            requireNonNegative("scale", scale);
            requireNonNegative("ms-per-mb", msPerMb);
            requireNonNegative("ms-per-page", msPerPage);
            requireNonNegative("ms-per-image", msPerImage);
            if (max == null || max.isNegative()) {
                throw new IllegalArgumentException("kiwo.worker.cost.max must be a duration >= 0, was " + max);
            }
        }

        private static void requireNonNegative(String key, double value) {
            if (!Double.isFinite(value) || value < 0) {
                throw new IllegalArgumentException("kiwo.worker.cost." + key + " must be a finite number >= 0, was "
                        + value);
            }
        }
    }

    /**
     * Fixed back-off for failures other than deserialization; after the retries the record goes to the DLQ.
     *
     * @param interval   pause between attempts
     * @param maxRetries retries after the first attempt
     */
    public record Retry(@DefaultValue("500ms") Duration interval, @DefaultValue("2") int maxRetries) {

        public Retry {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("kiwo.worker.retry.interval must be a duration >= 0, was " + interval);
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("kiwo.worker.retry.max-retries must be >= 0, was " + maxRetries);
            }
        }
    }
}
