package dev.kiwo.classifier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.Thresholds;
import dev.kiwo.model.JobClass;
import org.junit.jupiter.api.Test;

class LearnedCostClassifierTest {

    private static final HeavyJobRule RULE = new HeavyJobRule(new Thresholds(50, 200, 50));

    @Test
    void defersToTheRuleUntilTheModelIsTrained() {
        CostModel model = new CostModel(CostModelSettings.defaults());
        new WorkerCosts(29).train(model, 199);
        LearnedCostClassifier classifier = new LearnedCostClassifier(model, RULE, 1_000);

        Classification decision = classifier.classify(WorkerCosts.job(49, 199, 49));

        assertThat(decision).isEqualTo(RULE.classify(WorkerCosts.job(49, 199, 49)));
        assertThat(decision.jobClass()).isEqualTo(JobClass.LIGHT);
    }

    @Test
    void routesByPredictedCostOnceTrained() {
        CostModel model = new CostModel(CostModelSettings.defaults());
        new WorkerCosts(31).train(model, 300);
        LearnedCostClassifier classifier = new LearnedCostClassifier(model, RULE, 1_000);

        Classification expensive = classifier.classify(WorkerCosts.job(49, 199, 49));
        Classification cheap = classifier.classify(WorkerCosts.job(5, 20, 2));
        // Heavy by the rule (50 MB), yet about 1,000 ms: the model calls it by its cost, the rule by its size.
        Classification bigButCheap = classifier.classify(WorkerCosts.job(50, 0, 0));

        assertThat(expensive.jobClass()).isEqualTo(JobClass.HEAVY);
        assertThat(expensive.rule()).isEqualTo(LearnedCostClassifier.COST_MODEL);
        assertThat(expensive.reason()).matches("predictedMs=\\d+>=1000");
        assertThat(cheap.jobClass()).isEqualTo(JobClass.LIGHT);
        assertThat(cheap.reason()).matches("predictedMs=\\d+<1000");
        assertThat(bigButCheap.rule()).isEqualTo(LearnedCostClassifier.COST_MODEL);
    }

    @Test
    void defersToTheRuleWhenThePredictionIsNotSane() {
        CostModel model = new CostModel(new CostModelSettings(0.999, 1e6, 1e12, 50, 200, 0.9, 100, 500));
        new WorkerCosts(37).train(model, 300);
        LearnedCostClassifier classifier = new LearnedCostClassifier(model, RULE, 1_000);

        Classification decision = classifier.classify(WorkerCosts.job(60, 10, 10));

        assertThat(decision.rule()).isEqualTo(HeavyJobRule.FILE_SIZE_MB);
        assertThat(decision.jobClass()).isEqualTo(JobClass.HEAVY);
        assertThat(model.fallbacks()).containsEntry(CostModel.Fallback.ABOVE_MAX, 1L);
    }

    @Test
    void rejectsABudgetThatIsNotPositive() {
        CostModel model = new CostModel(CostModelSettings.defaults());

        assertThatThrownBy(() -> new LearnedCostClassifier(model, RULE, 0)).hasMessageContaining("budgetMs");
        assertThatThrownBy(() -> new LearnedCostClassifier(model, RULE, Double.NaN)).hasMessageContaining("budgetMs");
    }
}
