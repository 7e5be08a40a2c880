package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.limits.TenantRateLimits;
import dev.kiwo.api.security.Tenant;
import dev.kiwo.api.status.JobStatusService;
import dev.kiwo.api.status.Submission;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.api.web.RequestBodyTooLargeException;
import dev.kiwo.model.Job;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /jobs} with a batch ({@code application/x-ndjson}): one job per line, each read and validated on its
 * own exactly like the body of a single job, so a bad line rejects only itself. The answer, 200 in NDJSON, has one
 * line per input line, in order: {@code {"line":N,"jobId":"…","status":"ACCEPTED"}} or
 * {@code {"line":N,"status":400,"errors":[…]}}, N counting from 1. A blank line counts, and is answered as a 400
 * line; a final line break ends the last line rather than starting another.
 *
 * <p>The answer is written only once Kafka acknowledged every accepted job. If it did not within
 * {@code kiwo.api.produce-timeout}, the batch answers 503 saying how many jobs were sent and how many are stored;
 * a line's {@code idempotencyKey} derives its jobId like the {@code Idempotency-Key} header, so retrying the batch
 * runs no job twice: a line whose key was used before with the same job is answered with its jobId and not
 * published again, one with another job is answered {@code {"line":N,"status":422,...}}. More than
 * {@code kiwo.api.max-batch-lines} lines is a 413, a blank body a 400.
 */
@RestController
class JobBatchController {

    private static final Logger log = LoggerFactory.getLogger(JobBatchController.class);

    private static final JsonMapper ANSWER = JsonMapper.shared();

    private final JobRequestReader reader;
    private final JobPublisher publisher;
    private final TenantRateLimits limits;
    private final JobStatusService status;
    private final Duration retryAfter;
    private final int maxLines;

    JobBatchController(JobRequestReader reader, JobPublisher publisher, TenantRateLimits limits,
                       JobStatusService status, ApiProperties properties) {
        this.reader = reader;
        this.publisher = publisher;
        this.limits = limits;
        this.status = status;
        this.retryAfter = properties.retryAfter();
        this.maxLines = properties.maxBatchLines();
    }

    /**
     * The body comes as an {@link HttpEntity}, not an optional {@code @RequestBody}: with one of those Spring
     * matches a request without a body to any content type, and an empty JSON post would match both endpoints.
     */
    // Produces is declared so that an Accept the answer cannot meet is refused before any job is stored.
    @PostMapping(path = "/jobs", consumes = MediaType.APPLICATION_NDJSON_VALUE,
            produces = MediaType.APPLICATION_NDJSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> submitBatch(HttpEntity<byte[]> body,
            @RequestHeader(name = CorrelationId.HEADER, required = false) String suppliedCorrelationId,
            @RequestHeader(name = IdempotencyKey.HEADER, required = false) String idempotencyKey,
            @RequestAttribute(CorrelationId.ATTRIBUTE) String correlationId, HttpServletRequest servletRequest) {
        List<FieldProblem> problems = new ArrayList<>();
        JobController.checkCorrelationId(suppliedCorrelationId, problems);
        if (idempotencyKey != null) {
            problems.add(new FieldProblem(IdempotencyKey.HEADER,
                    "is not taken for a batch; give each line an idempotencyKey instead"));
        }
        byte[] batch = body.getBody() == null ? new byte[0] : body.getBody();
        if (new String(batch, StandardCharsets.ISO_8859_1).isBlank()) {
            problems.add(new FieldProblem(FieldProblem.BODY, "must not be empty"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidJobRequestException(problems);
        }
        List<byte[]> lines = lines(batch);
        String tenant = Tenant.of(servletRequest);
        Instant submittedAt = Instant.now();
        List<Object> answer = new ArrayList<>(lines.size());
        List<Job> candidates = new ArrayList<>();
        Map<String, Job> firstOfKey = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            List<FieldProblem> lineProblems = new ArrayList<>();
            JobRequest request = reader.read(lines.get(i), lineProblems);
            if (request == null) {
                answer.add(new RejectedLine(i + 1, HttpStatus.BAD_REQUEST.value(), lineProblems));
                continue;
            }
            String key = request.idempotencyKey();
            Job job = request.toJob(IdempotencyKey.jobIdFor(tenant, key), submittedAt, tenant,
                    key == null ? null : request.requestFingerprint());
            Job first = firstOfKey.putIfAbsent(job.jobId(), job);
            if (first == null) {
                candidates.add(job);
                answer.add(new AcceptedLine(i + 1, job.jobId(), "ACCEPTED"));
            } else {
                // A key repeated within the batch: its first line decides, like an earlier submission would.
                answer.add(first.requestFingerprint().equals(job.requestFingerprint())
                        ? new AcceptedLine(i + 1, job.jobId(), "ACCEPTED")
                        : keyReused(i + 1));
            }
        }
        return unsubmitted(candidates, answer).thenCompose(jobs -> {
            // All or nothing, for the jobs to publish only (not the repeats of earlier submissions): a batch that
            // would go over the tenant's job rate is refused before any job is sent.
            limits.takeJobs(tenant, jobs.size());
            return publisher.publishAll(jobs, correlationId).thenApply(stored -> jobs);
        }).thenApply(jobs -> {
            log.info("Accepted batch correlationId={}: {} jobs, {} of {} lines rejected", correlationId,
                    jobs.size(), answer.stream().filter(RejectedLine.class::isInstance).count(), lines.size());
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_NDJSON).body(ndjson(answer));
        });
    }

    /**
     * The candidates to publish: those without a key, and those whose key the status view has not seen. A line
     * whose key was used before is answered with its first job (same body, not published again) or as a 422
     * line (another body), in place in {@code answer}.
     */
    private CompletableFuture<List<Job>> unsubmitted(List<Job> candidates, List<Object> answer) {
        List<Job> keyed = candidates.stream().filter(job -> job.requestFingerprint() != null).toList();
        if (keyed.isEmpty()) {
            return CompletableFuture.completedFuture(candidates);
        }
        Map<String, CompletableFuture<Optional<Submission>>> earlier = new HashMap<>();
        keyed.forEach(job -> earlier.put(job.jobId(), status.submission(job.jobId())));
        return CompletableFuture.allOf(earlier.values().toArray(CompletableFuture[]::new))
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                        JobController.keyNotChecked(failure, retryAfter) instanceof JobNotPublishedException notChecked
                                ? new BatchNotPublishedException(notChecked, candidates.size(), 0, 0)
                                : failure))
                .thenApply(all -> {
                    Set<String> reused = new HashSet<>();
                    Set<String> repeated = new HashSet<>();
                    for (Job job : keyed) {
                        earlier.get(job.jobId()).join().ifPresent(submission -> {
                            String fingerprint = submission.requestFingerprint();
                            (fingerprint == null || fingerprint.equals(job.requestFingerprint()) ? repeated : reused)
                                    .add(job.jobId());
                        });
                    }
                    for (int i = 0; i < answer.size(); i++) {
                        if (answer.get(i) instanceof AcceptedLine line && reused.contains(line.jobId())) {
                            answer.set(i, keyReused(line.line()));
                        }
                    }
                    return candidates.stream()
                            .filter(job -> !reused.contains(job.jobId()) && !repeated.contains(job.jobId()))
                            .toList();
                });
    }

    private static RejectedLine keyReused(int line) {
        return new RejectedLine(line, HttpStatus.UNPROCESSABLE_CONTENT.value(),
                List.of(new FieldProblem("idempotencyKey", IdempotencyKeyReusedException.MESSAGE)));
    }

    /** The lines of a batch: split at LF, a CR before it dropped; a final LF ends the last line. */
    private List<byte[]> lines(byte[] batch) {
        List<byte[]> lines = new ArrayList<>();
        for (int start = 0, end; start < batch.length; start = end + 1) {
            if (lines.size() == maxLines) {
                throw RequestBodyTooLargeException.lines(maxLines);
            }
            end = start;
            while (end < batch.length && batch[end] != '\n') {
                end++;
            }
            int stop = end > start && batch[end - 1] == '\r' ? end - 1 : end;
            lines.add(Arrays.copyOfRange(batch, start, stop));
        }
        return lines;
    }

    private static byte[] ndjson(List<Object> answer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object line : answer) {
            out.writeBytes(ANSWER.writeValueAsBytes(line));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** A line of the answer whose job Kafka holds. */
    record AcceptedLine(int line, String jobId, String status) {
    }

    /** A line of the answer that was rejected, with the errors a single job's 400 would list. */
    record RejectedLine(int line, int status, List<FieldProblem> errors) {
    }
}
