package dev.kiwo.api.status;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The status view could not read far enough to know whether a job exists (Kafka unreachable, or the replica
 * still loading the retention): 503 with Retry-After rather than a 404 that might be wrong.
 */
class StatusViewBehindException extends ErrorResponseException {

    StatusViewBehindException(Duration waited) {
        super(HttpStatus.SERVICE_UNAVAILABLE, ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The job's status could not be read within " + waited + ", retry later"), null);
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, waited.toSeconds())));
    }
}
