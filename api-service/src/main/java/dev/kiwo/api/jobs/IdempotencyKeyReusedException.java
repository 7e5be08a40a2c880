package dev.kiwo.api.jobs;

import dev.kiwo.api.web.FieldProblem;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An idempotency key reused for a different request (another body) while its first job is known: 422, as the
 * IETF Idempotency-Key draft asks. The key names one job; a new job needs a new key.
 */
class IdempotencyKeyReusedException extends ErrorResponseException {

    static final String MESSAGE = "was already used for a different job; use a new key for a new job";

    IdempotencyKeyReusedException(String field, String key) {
        super(HttpStatus.UNPROCESSABLE_CONTENT, problem(field, key), null);
    }

    private static ProblemDetail problem(String field, String key) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
                field + " '" + key + "' " + MESSAGE);
        problem.setTitle("Idempotency key reused");
        problem.setProperty("errors", List.of(new FieldProblem(field, MESSAGE)));
        return problem;
    }
}
