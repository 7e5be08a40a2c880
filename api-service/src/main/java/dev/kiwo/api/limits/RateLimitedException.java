package dev.kiwo.api.limits;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A tenant went over one of its rate limits; answered with 429 and the seconds until the bucket has enough. */
class RateLimitedException extends ErrorResponseException {

    RateLimitedException(String limit, String detail, Duration retryAfter) {
        super(HttpStatus.TOO_MANY_REQUESTS, problem(limit, detail), null);
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
    }

    private static ProblemDetail problem(String limit, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, detail);
        problem.setProperty("limit", limit);
        return problem;
    }
}
