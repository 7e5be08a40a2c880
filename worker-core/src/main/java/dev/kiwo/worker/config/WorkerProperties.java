package dev.kiwo.worker.config;

import dev.kiwo.model.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
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
 * @param retry         how failing jobs are retried through retry topics before they are dead-lettered
 * @param cancellation  how cancellations requested through the API are honoured
 */
@ConfigurationProperties("kiwo.worker")
public record WorkerProperties(
        String pool,
        String instance,
        List<String> topics,
        @DefaultValue("10s") Duration resultTimeout,
        @DefaultValue Cost cost,
        @DefaultValue Retry retry,
        @DefaultValue Cancellation cancellation) {

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

    /**
     * The transactional.id prefix of this instance's producers: unique per instance (two live instances
     * sharing it would fence each other) and stable across its restarts, so that a restarted worker aborts
     * the transaction its previous incarnation left open instead of waiting for the transaction timeout.
     */
    public String transactionIdPrefix() {
        return "kiwo-worker-" + pool + "-" + instance + "-";
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
     * Cancellations: every worker reads all of {@code jobs.cancellations}. A job whose cancellation it has read
     * never starts another attempt and stops at the next safe point of a running one. A cancellation requested
     * before an attempt started wins even if the worker reads it late: before a job's {@code SUCCEEDED} result
     * is written, the worker waits until it has read the cancellations up to the attempt's start.
     *
     * @param catchUpTimeout how long a finished job waits at most for that; after it the result stands (a
     *                       warning is logged). Also how long start-up waits for the first read of the topic
     */
    public record Cancellation(@DefaultValue("1s") Duration catchUpTimeout) {

        public Cancellation {
            requirePositive("kiwo.worker.cancellation.catch-up-timeout", catchUpTimeout);
        }
    }

    /**
     * Non-blocking retries: a failed job is forwarded to a retry topic per delay tier
     * ({@code <topic>.retry-<delay>}), consumed again once its delay is over, and dead-lettered after the
     * last attempt. Delays are tiers, not a fixed interval: retry {@code n} waits {@code delays[n-1]}, and
     * retries beyond the list reuse the last (longest) tier.
     *
     * @param attempts    attempts in all, the first included; 1 disables retries
     * @param delays      the delay tiers, strictly increasing
     * @param concurrency consumers per retry topic in each instance
     */
    public record Retry(
            @DefaultValue("3") int attempts,
            @DefaultValue({"1s", "5s"}) List<Duration> delays,
            @DefaultValue("1") int concurrency) {

        public Retry {
            if (attempts < 1) {
                throw new IllegalArgumentException("kiwo.worker.retry.attempts must be >= 1, was " + attempts);
            }
            if (delays == null || delays.isEmpty()) {
                throw new IllegalArgumentException("kiwo.worker.retry.delays must list at least one delay");
            }
            Duration previous = Duration.ZERO;
            for (Duration delay : delays) {
                // Each tier is one topic named after its delay, so tiers must differ; whole milliseconds only.
                if (delay == null || delay.compareTo(previous) <= 0 || delay.toMillis() * 1_000_000 != delay.toNanos()) {
                    throw new IllegalArgumentException("kiwo.worker.retry.delays must be whole milliseconds, > 0 and "
                            + "strictly increasing, was " + delays);
                }
                previous = delay;
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("kiwo.worker.retry.concurrency must be >= 1, was " + concurrency);
            }
            delays = List.copyOf(delays);
        }

        /** The delay before each retry, one per retry ({@code attempts - 1} values). */
        public List<Duration> backOffs() {
            return IntStream.range(0, attempts - 1)
                    .mapToObj(retry -> delays.get(Math.min(retry, delays.size() - 1)))
                    .toList();
        }

        /** The delay tiers that are used, hence the retry topics needed for each job topic. */
        public List<Duration> tiers() {
            return backOffs().stream().distinct().toList();
        }
    }
}
