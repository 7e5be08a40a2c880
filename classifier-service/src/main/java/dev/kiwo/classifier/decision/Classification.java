package dev.kiwo.classifier.decision;

import dev.kiwo.model.JobClass;
import java.util.Objects;

/**
 * A classifier's decision.
 *
 * @param jobClass where the job goes
 * @param reason   why, short enough for a log line, e.g. {@code pageCount>=200,imageCount>=50}
 */
public record Classification(JobClass jobClass, String reason) {

    public Classification {
        Objects.requireNonNull(jobClass, "jobClass is required");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason is required");
        }
    }
}
