package dev.kiwo.api.web;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The request body exceeds {@code kiwo.api.max-request-size}; answered with 413. */
class RequestBodyTooLargeException extends ErrorResponseException {

    RequestBodyTooLargeException(long maxBytes) {
        super(HttpStatus.CONTENT_TOO_LARGE, problem(maxBytes), null);
    }

    private static ProblemDetail problem(long maxBytes) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "Request body exceeds " + maxBytes + " bytes");
        problem.setProperty("errors",
                List.of(new FieldProblem(FieldProblem.BODY, "must be at most " + maxBytes + " bytes")));
        return problem;
    }
}
