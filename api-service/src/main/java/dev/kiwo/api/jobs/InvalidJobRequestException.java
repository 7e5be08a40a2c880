package dev.kiwo.api.jobs;

import dev.kiwo.api.web.FieldProblem;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A job submission with at least one bad field; answered with 400 listing every one of them. */
class InvalidJobRequestException extends ErrorResponseException {

    InvalidJobRequestException(List<FieldProblem> problems) {
        super(HttpStatus.BAD_REQUEST, problem(problems), null);
    }

    private static ProblemDetail problem(List<FieldProblem> problems) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                problems.size() == 1 ? "1 invalid field" : problems.size() + " invalid fields");
        problem.setTitle("Invalid job request");
        problem.setProperty("errors", List.copyOf(problems));
        return problem;
    }
}
