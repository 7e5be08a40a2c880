package dev.kiwo.classifier.model;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import java.util.OptionalDouble;

/**
 * Routes by learned cost: a job is heavy when the {@link CostModel}'s predicted high quantile of its cost reaches
 * the budget. While the model has no prediction it trusts (too few results, or a garbage prediction), the fallback
 * classifier (the rule) decides, so an untrained or broken model cannot send everything to one pool.
 */
public final class LearnedCostClassifier implements JobClassifier {

    /** The rule tag of decisions taken by the model; fallback decisions keep the fallback's own tags. */
    public static final String COST_MODEL = "costModel";

    private final CostModel model;
    private final JobClassifier fallback;
    private final double budgetMs;

    /**
     * @param budgetMs a job whose predicted high quantile of cost is at or above this many ms is heavy
     */
    public LearnedCostClassifier(CostModel model, JobClassifier fallback, double budgetMs) {
        if (!Double.isFinite(budgetMs) || budgetMs <= 0) {
            throw new IllegalArgumentException("budgetMs must be a finite number > 0, was " + budgetMs);
        }
        this.model = model;
        this.fallback = fallback;
        this.budgetMs = budgetMs;
    }

    @Override
    public Classification classify(Job job) {
        OptionalDouble predicted = model.predictHighQuantile(job);
        if (predicted.isEmpty()) {
            return fallback.classify(job);
        }
        long ms = Math.round(predicted.getAsDouble());
        long budget = Math.round(budgetMs);
        return predicted.getAsDouble() >= budgetMs
                ? new Classification(JobClass.HEAVY, COST_MODEL, "predictedMs=" + ms + ">=" + budget)
                : new Classification(JobClass.LIGHT, COST_MODEL, "predictedMs=" + ms + "<" + budget);
    }
}
