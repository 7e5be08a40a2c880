package dev.kiwo.classifier.model;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.RoutingConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Routes by learned cost: a job is heavy when the shared {@link CostModel}'s predicted high quantile of its cost
 * reaches the live configuration's {@code modelBudgetMs}. While the model has no prediction it trusts (too few
 * results, a garbage prediction, or recent predictions wildly off), the fallback classifier (the rule) decides and
 * {@value #FALLBACKS_METER} counts why, so an untrained or broken model cannot send everything to one pool unnoticed.
 */
public final class LearnedCostClassifier implements JobClassifier {

    /** The rule tag of decisions taken by the model; fallback decisions keep the fallback's own tags. */
    public static final String COST_MODEL = "costModel";
    public static final String FALLBACKS_METER = "kiwo.classifier.model.fallbacks";

    private final SharedCostModel model;
    private final JobClassifier fallback;
    private final Map<CostModel.Fallback, Counter> fallbacks = new EnumMap<>(CostModel.Fallback.class);

    public LearnedCostClassifier(SharedCostModel model, JobClassifier fallback, MeterRegistry registry) {
        this.model = model;
        this.fallback = fallback;
        for (CostModel.Fallback reason : CostModel.Fallback.values()) {
            fallbacks.put(reason, fallbackCounter(registry, reason.name().toLowerCase(Locale.ROOT)));
        }
    }

    /** The counter of decisions the model left to the rule for this reason. */
    public static Counter fallbackCounter(MeterRegistry registry, String reason) {
        return Counter.builder(FALLBACKS_METER)
                .description("Decisions in model mode (or predictions in shadow mode) left to the rule, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    /** Without a live configuration: the default budget, and the fallback's own thresholds. */
    @Override
    public Classification classify(Job job) {
        return classify(job, RoutingConfig.DEFAULT_MODEL_BUDGET_MS, null);
    }

    @Override
    public Classification classify(Job job, RoutingConfig config) {
        return classify(job, config.modelBudgetMs(), config);
    }

    private Classification classify(Job job, long budgetMs, RoutingConfig config) {
        CostModel.Prediction prediction = model.current().predict(job);
        if (!prediction.trusted()) {
            fallbacks.get(prediction.fallback()).increment();
            Classification rule = config == null ? fallback.classify(job) : fallback.classify(job, config);
            return new Classification(rule.jobClass(), rule.rule(),
                    "model fallback (" + prediction.fallback().name().toLowerCase(Locale.ROOT) + "): " + rule.reason(),
                    true);
        }
        long ms = Math.round(prediction.highQuantileMs());
        return prediction.highQuantileMs() >= budgetMs
                ? new Classification(JobClass.HEAVY, COST_MODEL, "predictedMs=" + ms + ">=" + budgetMs)
                : new Classification(JobClass.LIGHT, COST_MODEL, "predictedMs=" + ms + "<" + budgetMs);
    }
}
