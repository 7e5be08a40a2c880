package dev.kiwo.api.status;

import dev.kiwo.api.web.FieldProblem;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The problems the status endpoints answer with, as exceptions Spring renders as problem+json. */
final class JobStatusProblems {

    private JobStatusProblems() {
    }

    static ErrorResponseException malformedJobId() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "1 invalid field");
        problem.setTitle("Invalid job id");
        problem.setProperty("errors", List.of(new FieldProblem("jobId", "must be a UUID, as returned by POST /jobs")));
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }

    static ErrorResponseException notFound(UUID jobId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "No job " + jobId + ": never accepted, or ended longer ago than the status retention");
        problem.setTitle("Job not found");
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }

    static ErrorResponseException alreadyTerminal(UUID jobId, TrackedJob job) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "Job " + jobId + " has already ended: " + job.status());
        problem.setTitle("Job already ended");
        problem.setProperty("jobStatus", job.status());
        return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
    }

    static ErrorResponseException cancellationNotRecorded(Duration retryAfter, Throwable cause) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The cancellation could not be stored, retry later");
        ErrorResponseException exception = new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, cause);
        exception.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
        return exception;
    }
}
