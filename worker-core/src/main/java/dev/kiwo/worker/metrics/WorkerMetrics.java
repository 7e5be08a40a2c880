package dev.kiwo.worker.metrics;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.worker.config.WorkerProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The worker's meters: {@code kiwo.worker.jobs} (pool, outcome), {@code kiwo.worker.processing} (pool) and
 * {@code kiwo.worker.end.to.end} (pool, class), the timers with percentile histograms so that quantiles can be
 * aggregated across instances.
 */
public final class WorkerMetrics {

    private final Counter succeeded;
    private final Counter deadLettered;
    private final Counter failed;
    private final Counter retried;
    private final Counter cancelled;
    private final Counter deadlineExceeded;
    private final Timer processing;
    private final Map<JobClass, Timer> endToEnd = new EnumMap<>(JobClass.class);

    public WorkerMetrics(MeterRegistry registry, WorkerProperties properties) {
        String pool = properties.pool();
        this.succeeded = jobs(registry, pool, "succeeded");
        this.deadLettered = jobs(registry, pool, "dead_lettered");
        this.failed = jobs(registry, pool, "failed");
        this.retried = jobs(registry, pool, "retried");
        this.cancelled = jobs(registry, pool, "cancelled");
        this.deadlineExceeded = jobs(registry, pool, "deadline_exceeded");
        this.processing = Timer.builder("kiwo.worker.processing")
                .description("Time from starting a job to its result being ready")
                .tag("pool", pool)
                .publishPercentileHistogram()
                .register(registry);
        for (JobClass jobClass : JobClass.values()) {
            endToEnd.put(jobClass, Timer.builder("kiwo.worker.end.to.end")
                    .description("Time from the API accepting a job to a worker finishing it")
                    .tag("pool", pool)
                    .tag("class", jobClass.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }

    private static Counter jobs(MeterRegistry registry, String pool, String outcome) {
        return Counter.builder("kiwo.worker.jobs")
                .description("Job attempts this worker finished, by outcome")
                .tag("pool", pool)
                .tag("outcome", outcome)
                .register(registry);
    }

    public void succeeded(JobResult result) {
        succeeded.increment();
        processing.record(Duration.ofMillis(result.processingMs()));
        // Clocks of different hosts can disagree; a negative latency is noise, not data.
        Duration latency = Duration.between(result.submittedAt(), result.finishedAt());
        endToEnd.get(result.jobClass()).record(latency.isNegative() ? Duration.ZERO : latency);
    }

    /** A record went to the DLQ: a job out of attempts, or a record that cannot be processed at all. */
    public void deadLettered() {
        deadLettered.increment();
    }

    /** An attempt failed and the job went to a retry topic. */
    public void retried() {
        retried.increment();
    }

    /**
     * A job ended without succeeding, counted by why: {@code failed} (out of attempts), {@code cancelled} or
     * {@code deadline_exceeded}.
     */
    public void ended(JobErrorCode reason) {
        switch (reason) {
            case CANCELLED -> cancelled.increment();
            case DEADLINE_EXCEEDED -> deadlineExceeded.increment();
            case PROCESSING_FAILED -> failed.increment();
        }
    }
}
