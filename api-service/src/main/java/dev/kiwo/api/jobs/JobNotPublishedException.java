package dev.kiwo.api.jobs;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Kafka did not acknowledge a job in time; answered with 503 and Retry-After, the job was not accepted. */
class JobNotPublishedException extends ErrorResponseException {

    private final String reason;

    JobNotPublishedException(String reason, Duration retryAfter, Throwable cause) {
        super(HttpStatus.SERVICE_UNAVAILABLE, ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The job could not be stored, retry later"), cause);
        this.reason = reason;
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        getBody().setProperty("reason", reason);
    }

    String reason() {
        return reason;
    }
}
