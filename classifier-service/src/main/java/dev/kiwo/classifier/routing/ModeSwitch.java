package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.classifier.model.LearnedCostClassifier;
import dev.kiwo.kafka.AtMostOncePer;
import dev.kiwo.model.Job;
import dev.kiwo.model.RoutingConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides by the live configuration's mode: {@code rule} asks the threshold rule; {@code shadow} asks the rule and
 * records what the model would have decided; {@code model} asks the model. The model is whatever
 * {@link JobClassifier} the application has (the learned cost model unless it declares another), so a new model needs
 * no change here, in the topology or in the manifests. A model that throws or answers nothing never costs a job: the
 * rule decides instead and {@value LearnedCostClassifier#FALLBACKS_METER}{reason="error"} counts it.
 */
final class ModeSwitch implements JobClassifier {

    private static final Logger LOG = LoggerFactory.getLogger(ModeSwitch.class);

    private final JobClassifier rule;
    private final JobClassifier model;
    private final DecisionRecorder recorder;
    private final Counter modelErrors;
    /** A model that fails on every job must not write a line per job: at most one per minute. */
    private final AtMostOncePer warning = new AtMostOncePer(Duration.ofMinutes(1));

    ModeSwitch(JobClassifier rule, JobClassifier model, DecisionRecorder recorder, MeterRegistry registry) {
        this.rule = rule;
        this.model = model;
        this.recorder = recorder;
        this.modelErrors = LearnedCostClassifier.fallbackCounter(registry, "error");
    }

    @Override
    public Classification classify(Job job) {
        return rule.classify(job);
    }

    @Override
    public Classification classify(Job job, RoutingConfig config) {
        return switch (config.mode()) {
            case RULE -> rule.classify(job, config);
            case SHADOW -> {
                Classification byRule = rule.classify(job, config);
                Classification byModel = model(job, config);
                // a model that left the decision to the rule did not agree with it: it had nothing to say
                if (byModel != null && !byModel.fallback()) {
                    recorder.shadow(byRule.jobClass(), byModel.jobClass());
                }
                yield byRule;
            }
            case MODEL -> {
                Classification byModel = model(job, config);
                if (byModel != null) {
                    yield byModel;
                }
                Classification byRule = rule.classify(job, config);
                yield new Classification(byRule.jobClass(), byRule.rule(), "model fallback (error): "
                        + byRule.reason(), true);
            }
        };
    }

    private Classification model(Job job, RoutingConfig config) {
        try {
            Classification decision = model.classify(job, config);
            if (decision != null) {
                return decision;
            }
            warn(job, "gave no decision");
        } catch (RuntimeException e) {
            warn(job, "failed: " + e);
        }
        modelErrors.increment();
        return null;
    }

    private void warn(Job job, String what) {
        if (warning.due()) {
            LOG.warn("The model {} {} on job {}; the rule decides (further failures within a minute are only "
                    + "counted)", model.getClass().getName(), what, job.jobId());
        }
    }
}
