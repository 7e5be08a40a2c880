package dev.kiwo.worker.processing;

import dev.kiwo.model.ClassifiedJob;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import dev.kiwo.worker.config.WorkerProperties;
import dev.kiwo.worker.results.StatusEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does the work of one job attempt and describes it as a result. A job that was cancelled or whose deadline
 * passed does not start; one that is cancelled or runs out of time while running stops at the next safe point.
 * Either way its result says so and it is never retried.
 */
public final class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

    private final CostModel costModel;
    private final CpuBurner burner;
    private final CancellationWatch cancellations;
    private final StatusEvents statusEvents;
    private final Duration catchUpTimeout;
    private final String pool;
    private final String instance;
    private final Clock clock;

    public JobProcessor(CostModel costModel, CpuBurner burner, CancellationWatch cancellations, StatusEvents statusEvents,
                 WorkerProperties properties, Clock clock) {
        this.costModel = costModel;
        this.burner = burner;
        this.cancellations = cancellations;
        this.statusEvents = statusEvents;
        this.catchUpTimeout = properties.cancellation().catchUpTimeout();
        this.pool = properties.pool();
        this.instance = properties.instance();
        this.clock = clock;
    }

    /**
     * Processes one attempt (1 for the first) of a job into its terminal result: {@code SUCCEEDED}, or
     * {@code CANCELLED} or {@code FAILED} with {@link JobErrorCode#DEADLINE_EXCEEDED} when it was stopped.
     *
     * @throws SimulatedFailureException when the job asked for this attempt to fail; the work is done first,
     *                                   as a real failure late in processing would have it
     */
    public JobResult process(ClassifiedJob classified, int attempt) {
        Job job = classified.job();
        Instant startedAt = clock.instant();
        JobErrorCode notStarted = reasonToStop(job);
        if (notStarted != null) {
            return stopped(classified, notStarted, startedAt, attempt - 1, "before attempt " + attempt + " started");
        }
        statusEvents.running(classified, attempt, startedAt);
        long cpuNanos;
        try {
            cpuNanos = burner.burn(costModel.costMs(job), () -> reasonToStop(job));
        } catch (JobStoppedException e) {
            return stopped(classified, e.reason(), startedAt, attempt, "during attempt " + attempt);
        }
        if (job.simulate() != null && job.simulate().failsAttempt(attempt)) {
            throw new SimulatedFailureException("Simulated failure of attempt " + attempt + " of job " + job.jobId()
                    + " (" + job.simulate() + ")");
        }
        Instant finishedAt = clock.instant();
        if (cancelledBeforeStart(job, startedAt)) {
            // The job ran only because this worker read the request late; a request made before it started wins.
            return stopped(classified, JobErrorCode.CANCELLED, startedAt, attempt,
                    "before attempt " + attempt + " started (read after it ran)");
        }
        return new JobResult(job.jobId(), classified.jobClass(), JobStatus.SUCCEEDED, pool, instance,
                job.submittedAt(), classified.classifiedAt(), startedAt, finishedAt,
                Duration.between(startedAt, finishedAt).toMillis(), null, null, attempt, job.tenant(),
                TimeUnit.NANOSECONDS.toMillis(cpuNanos));
    }

    /** Why the job must not run (on), or null. */
    private JobErrorCode reasonToStop(Job job) {
        if (cancellations.requestedAt(job.jobId()) != null) {
            return JobErrorCode.CANCELLED;
        }
        Instant deadline = job.deadline();
        return deadline != null && !clock.instant().isBefore(deadline) ? JobErrorCode.DEADLINE_EXCEEDED : null;
    }

    /** Whether a cancellation was requested before {@code startedAt}, once every such request has been read. */
    private boolean cancelledBeforeStart(Job job, Instant startedAt) {
        if (!cancellations.awaitCaughtUpTo(startedAt, catchUpTimeout)) {
            log.warn("Cancellations were not read up to the start of job {} ({}) within {}; one not read by now "
                    + "leaves its result standing", job.jobId(), startedAt, catchUpTimeout);
        }
        Instant requestedAt = cancellations.requestedAt(job.jobId());
        return requestedAt != null && requestedAt.isBefore(startedAt);
    }

    private JobResult stopped(ClassifiedJob classified, JobErrorCode reason, Instant startedAt, int attempts,
                              String when) {
        Job job = classified.job();
        Instant finishedAt = clock.instant();
        String error = reason == JobErrorCode.CANCELLED
                ? "Cancelled at " + cancellations.requestedAt(job.jobId()) + ", " + when
                : "Deadline " + job.deadline() + " (" + job.deadlineSeconds() + " s after submission) passed " + when;
        JobStatus status = reason == JobErrorCode.CANCELLED ? JobStatus.CANCELLED : JobStatus.FAILED;
        return new JobResult(job.jobId(), classified.jobClass(), status, pool, instance, job.submittedAt(),
                classified.classifiedAt(), startedAt, finishedAt, Duration.between(startedAt, finishedAt).toMillis(),
                error, reason, attempts, job.tenant());
    }
}
