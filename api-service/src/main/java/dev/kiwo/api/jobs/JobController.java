package dev.kiwo.api.jobs;

import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import dev.kiwo.api.status.JobStatusService;
import dev.kiwo.api.status.PreferWait;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs} with one JSON job: validates it, assigns the jobId and answers 202 once Kafka holds the job.
 * The answer waits for Kafka asynchronously, without a request thread. The body arrives as raw bytes because
 * {@link JobRequestReader} reports all bad fields at once. With an idempotency key (the {@code Idempotency-Key}
 * header or the {@code idempotencyKey} property) the jobId derives from the key, so a retried POST yields the same
 * jobId on any replica; the repeat is produced again and the classifier drops it.
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

    JobController(JobRequestReader reader, JobPublisher publisher, JobStatusService status) {
        this.reader = reader;
        this.publisher = publisher;
        this.status = status;
    }

    // Produces is declared so that an Accept the answer cannot meet is refused before any job is stored.
    @PostMapping(path = "/jobs", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<?>> submit(@RequestBody(required = false) byte[] body,
            @RequestHeader(name = CorrelationId.HEADER, required = false) String suppliedCorrelationId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @RequestHeader(name = PreferWait.PREFER, required = false) List<String> prefer,
            @RequestAttribute(CorrelationId.ATTRIBUTE) String correlationId) {
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
        Job job = request.toJob(IdempotencyKey.jobIdFor(key), Instant.now());
        Optional<Duration> wait = PreferWait.parse(prefer, status.maxWait());
        CompletableFuture<Void> stored = publisher.publish(job, correlationId).thenAccept(acknowledged ->
                log.info("Accepted job {} correlationId={} idempotencyKey={} fileSizeMb={} pageCount={} imageCount={}"
                                + " deadlineSeconds={}", job.jobId(), correlationId, key == null ? "-" : key,
                        job.fileSizeMb(), job.pageCount(), job.imageCount(),
                        job.deadlineSeconds() == null ? "-" : job.deadlineSeconds()));
        URI location = URI.create("/jobs/" + job.jobId());
        if (wait.isEmpty()) {
            return stored.thenApply(done -> ResponseEntity.accepted().location(location).body(JobAccepted.of(job)));
        }
        return stored.thenCompose(done -> status.awaitEnd(job.jobId(), wait.get()))
                .thenApply(view -> ResponseEntity.status(view.status().terminal() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                        .location(location)
                        .header(HttpHeaders.VARY, PreferWait.PREFER)
                        .header(PreferWait.PREFERENCE_APPLIED, PreferWait.applied(wait.get()))
                        .body(view));
    }

    /** Reports a client's correlation id that was not taken; the request runs under a new one. */
    static void checkCorrelationId(String supplied, List<FieldProblem> problems) {
        if (supplied != null && !CorrelationId.isAcceptable(supplied)) {
            problems.add(new FieldProblem(CorrelationId.HEADER,
                    "must be 1 to " + CorrelationId.MAX_LENGTH + " visible ASCII characters"));
        }
    }
}
