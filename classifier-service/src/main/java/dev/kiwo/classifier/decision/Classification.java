package dev.kiwo.classifier.decision;

import dev.kiwo.model.JobClass;
import java.util.Objects;

/**
 * A classifier's decision.
 *
 * @param jobClass where the job goes
 * @param rule     which rule decided, e.g. {@code pageCount}; it tags the decisions metric, so it must come from a
 *                 small fixed set of the model's (per-job detail belongs in the reason)
 * @param reason   why, short enough for a log line, e.g. {@code pageCount>=200,imageCount>=50}
 * @param fallback true when a model left the decision to the rule (it had no prediction it trusts): shadow mode
 *                 does not count such a decision as the model's
 */
public record Classification(JobClass jobClass, String rule, String reason, boolean fallback) {

    /** A decision taken by the classifier itself, not a fallback. */
    public Classification(JobClass jobClass, String rule, String reason) {
        this(jobClass, rule, reason, false);
    }

    public Classification {
        Objects.requireNonNull(jobClass, "jobClass is required");
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("rule is required");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason is required");
        }
    }
}
