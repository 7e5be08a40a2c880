package dev.kiwo.classifier.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.model.JobClass;
import dev.kiwo.model.RoutingConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnedCostClassifierTest {

    private static final HeavyJobRule RULE = new HeavyJobRule(new Thresholds(50, 200, 50));
    private static final RoutingConfig MODEL_MODE = RoutingConfig.seed(50, 200, 50, Instant.EPOCH)
            .with(Map.of("mode", "model"), "test", Instant.EPOCH);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void defersToTheRuleUntilTheModelIsTrained() {
        LearnedCostClassifier classifier = new LearnedCostClassifier(trained(CostModelSettings.defaults(), 29, 199),
                RULE, registry);

        Classification decision = classifier.classify(WorkerCosts.job(49, 199, 49), MODEL_MODE);

        assertThat(decision.jobClass()).isEqualTo(JobClass.LIGHT);
        assertThat(decision.rule()).isEqualTo(HeavyJobRule.NONE);
        assertThat(decision.reason()).isEqualTo("model fallback (too_few_samples): below all thresholds");
        assertThat(fallbacks("too_few_samples")).isEqualTo(1);
    }

    @Test
    void routesByPredictedCostOnceTrained() {
        LearnedCostClassifier classifier = new LearnedCostClassifier(trained(CostModelSettings.defaults(), 31, 300),
                RULE, registry);

        Classification expensive = classifier.classify(WorkerCosts.job(49, 199, 49), MODEL_MODE);
        Classification cheap = classifier.classify(WorkerCosts.job(5, 20, 2), MODEL_MODE);
        // Heavy by the rule (50 MB), yet about 1,000 ms: the model calls it by its cost, the rule by its size.
        Classification bigButCheap = classifier.classify(WorkerCosts.job(50, 0, 0), MODEL_MODE);

        assertThat(expensive.jobClass()).isEqualTo(JobClass.HEAVY);
        assertThat(expensive.rule()).isEqualTo(LearnedCostClassifier.COST_MODEL);
        assertThat(expensive.reason()).matches("predictedMs=\\d+>=1000");
        assertThat(cheap.jobClass()).isEqualTo(JobClass.LIGHT);
        assertThat(cheap.reason()).matches("predictedMs=\\d+<1000");
        assertThat(bigButCheap.rule()).isEqualTo(LearnedCostClassifier.COST_MODEL);
        assertThat(fallbacks("too_few_samples")).isZero();
    }

    @Test
    void takesTheBudgetFromTheLiveConfiguration() {
        LearnedCostClassifier classifier = new LearnedCostClassifier(trained(CostModelSettings.defaults(), 41, 300),
                RULE, registry);
        RoutingConfig lowBudget = MODEL_MODE.with(Map.of("modelBudgetMs", "100"), "test", Instant.EPOCH);

        assertThat(classifier.classify(WorkerCosts.job(5, 20, 2), MODEL_MODE).jobClass()).isEqualTo(JobClass.LIGHT);
        assertThat(classifier.classify(WorkerCosts.job(5, 20, 2), lowBudget).jobClass()).isEqualTo(JobClass.HEAVY);
    }

    @Test
    void defersToTheRuleWhenThePredictionIsNotSane() {
        LearnedCostClassifier classifier = new LearnedCostClassifier(
                trained(new CostModelSettings(0.999, 1e6, 1e12, 50, 200, 0.9, 100, 500, 0.5), 37, 300), RULE,
                registry);

        Classification decision = classifier.classify(WorkerCosts.job(60, 10, 10), MODEL_MODE);

        assertThat(decision.rule()).isEqualTo(HeavyJobRule.FILE_SIZE_MB);
        assertThat(decision.jobClass()).isEqualTo(JobClass.HEAVY);
        assertThat(fallbacks("above_max")).isEqualTo(1);
    }

    private static SharedCostModel trained(CostModelSettings settings, long seed, int results) {
        CostModel model = new CostModel(settings);
        new WorkerCosts(seed).train(model, results);
        SharedCostModel shared = new SharedCostModel(settings);
        shared.replace(model.state());
        return shared;
    }

    private double fallbacks(String reason) {
        return registry.get(LearnedCostClassifier.FALLBACKS_METER).tag("reason", reason).counter().count();
    }
}
