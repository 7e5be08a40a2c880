package dev.kiwo.api.jobs;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Kafka did not acknowledge every job of a batch in time; answered with 503 and Retry-After. The jobs Kafka did
 * acknowledge are stored and run, and others that were sent may be, so the problem says how many of each: the
 * client retries the whole batch, and lines with an {@code idempotencyKey} keep their jobId, so no job runs twice.
 */
class BatchNotPublishedException extends ErrorResponseException {

    BatchNotPublishedException(JobNotPublishedException first, int jobs, int sent, int acknowledged) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(first, jobs, sent, acknowledged), first);
        getHeaders().set(HttpHeaders.RETRY_AFTER, first.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
    }

    private static ProblemDetail problem(JobNotPublishedException first, int jobs, int sent, int acknowledged) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The batch could not be stored completely, retry later: Kafka acknowledged " + acknowledged
                        + " of its " + jobs + " jobs, and " + (sent - acknowledged) + " more were sent and may be"
                        + " stored. Lines with an idempotencyKey keep their jobId, so a retry runs no job twice.");
        problem.setProperty("reason", first.reason());
        problem.setProperty("jobs", jobs);
        problem.setProperty("sent", sent);
        problem.setProperty("acknowledged", acknowledged);
        return problem;
    }
}
