package dev.kiwo.api.web;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The request body is larger than allowed, in bytes or, for a batch, in lines; answered with 413. */
public class RequestBodyTooLargeException extends ErrorResponseException {

    private RequestBodyTooLargeException(String limit) {
        super(HttpStatus.CONTENT_TOO_LARGE, problem(limit), null);
    }

    /** The body has more than {@code maxBytes} bytes. */
    static RequestBodyTooLargeException bytes(long maxBytes) {
        return new RequestBodyTooLargeException(maxBytes + " bytes");
    }

    /** The batch has more than {@code maxLines} lines. */
    public static RequestBodyTooLargeException lines(int maxLines) {
        return new RequestBodyTooLargeException(maxLines + " lines");
    }

    private static ProblemDetail problem(String limit) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "Request body exceeds " + limit);
        problem.setProperty("errors", List.of(new FieldProblem(FieldProblem.BODY, "must be at most " + limit)));
        return problem;
    }
}
