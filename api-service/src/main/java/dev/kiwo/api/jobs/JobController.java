package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.limits.TenantRateLimits;
import dev.kiwo.api.security.Tenant;
import dev.kiwo.api.status.Submission;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import dev.kiwo.api.status.JobStatusService;
import dev.kiwo.api.status.PreferWait;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs} with one JSON job: validates it, assigns the jobId and answers 202 once Kafka holds the job.
 * The answer waits for Kafka asynchronously, without a request thread. The body arrives as raw bytes because
 * {@link JobRequestReader} reports all bad fields at once. With an idempotency key (the {@code Idempotency-Key}
 * header or the {@code idempotencyKey} property) the jobId derives from the tenant and the key, so a retried POST
 * yields the same jobId on any replica; a repeat the status view knows is answered without publishing again, and
 * one with another body is a 422.
 *
 * <p>With {@code Prefer: wait=N} the answer waits, without a thread, until the job has ended (200 with its
 * status) or N seconds have passed (202 with its status so far).
 */
@RestController
class JobController {

    private static final Logger log = LoggerFactory.getLogger(JobController.class);

    private final JobRequestReader reader;
    private final JobPublisher publisher;
    private final JobStatusService status;
    private final TenantRateLimits limits;
    private final Duration retryAfter;

    JobController(JobRequestReader reader, JobPublisher publisher, JobStatusService status, TenantRateLimits limits,
                  ApiProperties properties) {
        this.reader = reader;
        this.publisher = publisher;
        this.status = status;
        this.limits = limits;
        this.retryAfter = properties.retryAfter();
    }

    // Produces is declared so that an Accept the answer cannot meet is refused before any job is stored.
    @PostMapping(path = "/jobs", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<?>> submit(@RequestBody(required = false) byte[] body,
            @RequestHeader(name = CorrelationId.HEADER, required = false) String suppliedCorrelationId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @RequestHeader(name = PreferWait.PREFER, required = false) List<String> prefer,
            @RequestAttribute(CorrelationId.ATTRIBUTE) String correlationId, HttpServletRequest servletRequest) {
        List<FieldProblem> problems = new ArrayList<>();
        checkCorrelationId(suppliedCorrelationId, problems);
        if (idempotencyKey != null && !IdempotencyKey.isAcceptable(idempotencyKey)) {
            problems.add(new FieldProblem(IdempotencyKey.HEADER, IdempotencyKey.REQUIREMENT));
        }
        JobRequest request = reader.read(body, problems);
        if (request != null && idempotencyKey != null && request.idempotencyKey() != null) {
            problems.add(new FieldProblem("idempotencyKey", "must not be given with the Idempotency-Key header"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidJobRequestException(problems);
        }
        String key = idempotencyKey != null ? idempotencyKey : request.idempotencyKey();
        String keyField = idempotencyKey != null ? IdempotencyKey.HEADER : "idempotencyKey";
        String tenant = Tenant.of(servletRequest);
        // In microseconds, as the status view keeps it: a repeated key answers the first submission's time.
        Job job = request.toJob(IdempotencyKey.jobIdFor(tenant, key), Instant.now().truncatedTo(ChronoUnit.MICROS),
                tenant, key == null ? null : request.requestFingerprint());
        Optional<Duration> wait = PreferWait.parse(prefer, status.maxWait());
        // With a key, an earlier submission of the jobId (the status view's read-your-writes lookup) is answered
        // instead of publishing again, or refused if it asked for something else; only a publish takes a job token.
        CompletableFuture<Instant> stored = key == null
                ? publish(job, correlationId, key)
                : status.submission(job.jobId())
                        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                                keyNotChecked(failure, retryAfter)))
                        .thenCompose(earlier -> earlier.isEmpty()
                                ? publish(job, correlationId, key)
                                : repeated(job, keyField, key, earlier.get()));
        URI location = URI.create("/jobs/" + job.jobId());
        if (wait.isEmpty()) {
            return stored.thenApply(submittedAt -> ResponseEntity.accepted().location(location)
                    .body(JobAccepted.of(job.jobId(), submittedAt)));
        }
        return stored.thenCompose(done -> status.awaitEnd(job.jobId(), tenant, wait.get()))
                .thenApply(view -> PreferWait.headers(ResponseEntity.status(
                                view.status().terminal() ? HttpStatus.OK : HttpStatus.ACCEPTED).location(location), wait)
                        .body(view));
    }

    /**
     * Takes the tenant's job token (or fails with a 429) and publishes the job; completes with its
     * {@code submittedAt} once Kafka holds it.
     */
    private CompletableFuture<Instant> publish(Job job, String correlationId, String key) {
        limits.takeJobs(job.tenant(), 1);
        return publisher.publish(job, correlationId).thenApply(acknowledged -> {
            log.info("Accepted job {} tenant={} correlationId={} idempotencyKey={} fileSizeMb={} pageCount={}"
                            + " imageCount={} deadlineSeconds={}", job.jobId(), job.tenant(), correlationId,
                    key == null ? "-" : key, job.fileSizeMb(), job.pageCount(), job.imageCount(),
                    job.deadlineSeconds() == null ? "-" : job.deadlineSeconds());
            return job.submittedAt();
        });
    }

    /**
     * A key used before: the same request is answered with the first submission (its {@code submittedAt}),
     * without publishing it again; another request is refused with 422. A submission recorded without a
     * fingerprint (by an older API) counts as the same.
     */
    private static CompletableFuture<Instant> repeated(Job job, String keyField, String key, Submission earlier) {
        String fingerprint = earlier.requestFingerprint();
        if (fingerprint != null && !fingerprint.equals(job.requestFingerprint())) {
            return CompletableFuture.failedFuture(new IdempotencyKeyReusedException(keyField, key));
        }
        log.info("Job {} tenant={} submitted again under idempotency key {}: answered, not published again",
                job.jobId(), job.tenant(), key);
        return CompletableFuture.completedFuture(
                earlier.submittedAt() != null ? earlier.submittedAt() : job.submittedAt());
    }

    /**
     * A lookup of an earlier submission that the status view could not finish in time (Kafka unreachable, or the
     * replica still loading) is answered like a job Kafka did not take: 503 with {@code kiwo.api.retry-after},
     * nothing published. Publishing unchecked could let a reused key's different body through.
     */
    static Throwable keyNotChecked(Throwable failure, Duration retryAfter) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ErrorResponseException refused
                && refused.getStatusCode().value() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            log.warn("Idempotency key not checked, nothing published: {}", cause.getMessage());
            return new JobNotPublishedException("the status view could not tell in time whether the idempotency "
                    + "key was used before", retryAfter, cause);
        }
        return cause;
    }

    /** Reports a client's correlation id that was not taken; the request runs under a new one. */
    static void checkCorrelationId(String supplied, List<FieldProblem> problems) {
        if (supplied != null && !CorrelationId.isAcceptable(supplied)) {
            problems.add(new FieldProblem(CorrelationId.HEADER,
                    "must be 1 to " + CorrelationId.MAX_LENGTH + " visible ASCII characters"));
        }
    }
}
