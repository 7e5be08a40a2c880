package dev.kiwo.api.status;

import dev.kiwo.model.JobCancellation;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * What the API can tell and do about a job after accepting it: its status, waiting for its end, its event
 * stream and its cancellation. Nothing here blocks a thread: answers complete when the status view has read
 * what they need.
 */
public final class JobStatusService {

    private static final Logger log = LoggerFactory.getLogger(JobStatusService.class);

    private final JobStatusView view;
    private final CancellationPublisher cancellations;
    private final StatusProperties properties;
    private final Executor writer;
    private final TaskScheduler scheduler;
    private final Duration retryAfter;
    private final Clock clock;

    JobStatusService(JobStatusView view, CancellationPublisher cancellations, StatusProperties properties,
                     Executor writer, TaskScheduler scheduler, Duration retryAfter, Clock clock) {
        this.view = view;
        this.cancellations = cancellations;
        this.properties = properties;
        this.writer = writer;
        this.scheduler = scheduler;
        this.retryAfter = retryAfter;
        this.clock = clock;
    }

    /** The longest wait a client may ask for. */
    public Duration maxWait() {
        return properties.maxWait();
    }

    /**
     * The job's status; fails with a 404 problem for a job unknown or expired, and for another tenant's job,
     * which must look the same.
     */
    public CompletableFuture<JobView> status(String jobId, String tenant) {
        UUID id = parse(jobId);
        return find(id, tenant).thenApply(job -> JobView.of(id, job));
    }

    /**
     * What the view knows of an earlier submission of {@code jobId}, a jobId derived from an idempotency key
     * (which includes the tenant): empty when there was none within the status retention. Like a status lookup it
     * first reads the job's {@code jobs.in} partition up to its end, so a submission acknowledged before is found.
     */
    public CompletableFuture<Optional<Submission>> submission(String jobId) {
        UUID id = parse(jobId);
        return view.find(id).thenApply(found -> found.map(job -> new Submission(
                job.requestFingerprint(), TrackedJob.instant(job.submittedAt()))));
    }

    /** The job's status once it is terminal, or after {@code wait}, whichever is first. */
    public CompletableFuture<JobView> awaitEnd(String jobId, String tenant, Duration wait) {
        UUID id = parse(jobId);
        return find(id, tenant).thenCompose(found -> {
            if (found.terminal() || wait.isZero()) {
                return CompletableFuture.completedFuture(JobView.of(id, found));
            }
            CompletableFuture<TrackedJob> end = new CompletableFuture<>();
            Runnable unwatch = view.watch(id, job -> {
                if (job.terminal()) {
                    end.complete(job);
                }
            });
            // A change between the lookup and the watch is in the current state.
            view.current(id).filter(TrackedJob::terminal).ifPresent(end::complete);
            ScheduledFuture<?> timeout = scheduler.schedule(
                    () -> end.complete(view.current(id).orElse(found)), clock.instant().plus(wait));
            return end.whenComplete((job, error) -> {
                unwatch.run();
                timeout.cancel(false);
            }).thenApply(job -> JobView.of(id, job));
        });
    }

    /** The job's server-sent event stream. */
    public CompletableFuture<SseEmitter> events(String jobId, String tenant) {
        UUID id = parse(jobId);
        return find(id, tenant).thenApply(found -> JobEventStream.open(id, view, properties, writer, scheduler));
    }

    /**
     * Records a cancellation of a job that has not ended. Fails with 404 for an unknown job or another tenant's,
     * 409 for one that has ended, 503 when Kafka does not take the request in time.
     */
    public CompletableFuture<JobView> cancel(String jobId, String tenant) {
        UUID id = parse(jobId);
        return find(id, tenant).thenCompose(found -> {
            if (found.terminal()) {
                throw JobStatusProblems.alreadyTerminal(id, found);
            }
            JobCancellation cancellation = new JobCancellation(id.toString(), clock.instant());
            return cancellations.publish(cancellation).handle((sent, error) -> {
                if (error != null) {
                    log.warn("Cancellation of job {} not recorded: {}", id, error.toString());
                    throw JobStatusProblems.cancellationNotRecorded(retryAfter, error);
                }
                log.info("Cancellation of job {} recorded while {}", id, found.status());
                return JobView.of(id, view.current(id).orElse(found).apply(cancellation));
            });
        });
    }

    private CompletableFuture<TrackedJob> find(UUID id, String tenant) {
        return view.find(id).thenApply(found -> found.filter(job -> job.visibleTo(tenant))
                .orElseThrow(() -> JobStatusProblems.notFound(id)));
    }

    private static UUID parse(String jobId) {
        // UUID.fromString accepts short forms such as 1-1-1-1-1; kiwo's ids are always the canonical 36 characters.
        if (jobId == null || jobId.length() != 36) {
            throw JobStatusProblems.malformedJobId();
        }
        try {
            return UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            throw JobStatusProblems.malformedJobId();
        }
    }
}
