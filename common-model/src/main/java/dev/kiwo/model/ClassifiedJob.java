package dev.kiwo.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A job with the classifier's decision, as carried on {@code jobs.light} and {@code jobs.heavy}.
 *
 * @param job          the job as submitted
 * @param jobClass     the decision
 * @param reason       why, e.g. {@code fileSizeMb>=50} or {@code below all thresholds}
 * @param classifiedAt when the classifier decided
 */
public record ClassifiedJob(Job job, JobClass jobClass, String reason, Instant classifiedAt) {

    public ClassifiedJob {
        Objects.requireNonNull(job, "job is required");
        Objects.requireNonNull(jobClass, "jobClass is required");
        Objects.requireNonNull(classifiedAt, "classifiedAt is required");
    }
}
