package dev.kiwo.api.jobs;

import dev.kiwo.api.ApiProperties;
import dev.kiwo.api.web.CorrelationId;
import dev.kiwo.api.web.FieldProblem;
import dev.kiwo.api.web.RequestBodyTooLargeException;
import dev.kiwo.model.Job;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * runs no job twice. More than {@code kiwo.api.max-batch-lines} lines is a 413, a blank body a 400.
 */
@RestController
class JobBatchController {

    private static final Logger log = LoggerFactory.getLogger(JobBatchController.class);

    private static final JsonMapper ANSWER = JsonMapper.shared();

    private final JobRequestReader reader;
    private final JobPublisher publisher;
    private final int maxLines;

    JobBatchController(JobRequestReader reader, JobPublisher publisher, ApiProperties properties) {
        this.reader = reader;
        this.publisher = publisher;
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
            @RequestAttribute(CorrelationId.ATTRIBUTE) String correlationId) {
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
        Instant submittedAt = Instant.now();
        List<Object> answer = new ArrayList<>(lines.size());
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            List<FieldProblem> lineProblems = new ArrayList<>();
            JobRequest request = reader.read(lines.get(i), lineProblems);
            if (request == null) {
                answer.add(new RejectedLine(i + 1, HttpStatus.BAD_REQUEST.value(), lineProblems));
            } else {
                Job job = request.toJob(IdempotencyKey.jobIdFor(request.idempotencyKey()), submittedAt);
                jobs.add(job);
                answer.add(new AcceptedLine(i + 1, job.jobId(), "ACCEPTED"));
            }
        }
        return publisher.publishAll(jobs, correlationId).thenApply(stored -> {
            log.info("Accepted batch correlationId={}: {} jobs, {} of {} lines rejected", correlationId,
                    jobs.size(), lines.size() - jobs.size(), lines.size());
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_NDJSON).body(ndjson(answer));
        });
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
