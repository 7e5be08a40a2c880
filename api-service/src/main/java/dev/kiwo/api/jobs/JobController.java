package dev.kiwo.api.jobs;

import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.model.Job;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs}: validates a submission, assigns the jobId and answers 202 once Kafka holds the job.
 * The body arrives as raw bytes because {@link JobRequestParser} reports all bad fields at once. With an
 * {@code Idempotency-Key} the jobId derives from the key, so a retried POST yields the same jobId on any replica;
 * the repeat is produced again and the classifier drops it.
 */
@RestController
class JobController {

    private static final Logger log = LoggerFactory.getLogger(JobController.class);

    private final JobPublisher publisher;

    JobController(JobPublisher publisher) {
        this.publisher = publisher;
    }

    @PostMapping(path = "/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobAccepted> submit(@RequestBody(required = false) byte[] body,
            @RequestHeader(name = CorrelationId.HEADER, required = false) String suppliedCorrelationId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @RequestAttribute(CorrelationId.ATTRIBUTE) String correlationId) {
        List<FieldProblem> problems = new ArrayList<>();
        if (suppliedCorrelationId != null && !CorrelationId.isAcceptable(suppliedCorrelationId)) {
            problems.add(new FieldProblem(CorrelationId.HEADER,
                    "must be 1 to " + CorrelationId.MAX_LENGTH + " visible ASCII characters"));
        }
        if (idempotencyKey != null && !IdempotencyKey.isAcceptable(idempotencyKey)) {
            problems.add(new FieldProblem(IdempotencyKey.HEADER,
                    "must be 1 to " + IdempotencyKey.MAX_LENGTH + " visible ASCII characters"));
        }
        JobRequest request = JobRequestParser.parse(body, problems);
        if (!problems.isEmpty()) {
            throw new InvalidJobRequestException(problems);
        }
        String jobId = idempotencyKey == null ? UUID.randomUUID().toString() : IdempotencyKey.jobId(idempotencyKey);
        Job job = request.toJob(jobId, Instant.now());
        publisher.publish(job, correlationId);
        log.info("Accepted job {} correlationId={} idempotencyKey={} fileSizeMb={} pageCount={} imageCount={}",
                job.jobId(), correlationId, idempotencyKey == null ? "-" : idempotencyKey, job.fileSizeMb(),
                job.pageCount(), job.imageCount());
        return ResponseEntity.accepted()
                .location(URI.create("/jobs/" + job.jobId()))
                .body(JobAccepted.of(job));
    }
}
