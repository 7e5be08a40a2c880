package dev.kiwo.classifier.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.classifier.decision.Classification;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CostModelAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CostModelAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("kiwo.classifier.thresholds.file-size-mb=50",
                    "kiwo.classifier.thresholds.page-count=200", "kiwo.classifier.thresholds.image-count=50",
                    "kiwo.classifier.model.min-samples=200", "kiwo.classifier.model.quantile=0.9",
                    "kiwo.classifier.model.forgetting-factor=0.999", "kiwo.classifier.model.max-sane-ms=600000",
                    "kiwo.classifier.model.max-recent-relative-error=0.5",
                    "kiwo.classifier.model.publish-interval=5s");

    @Test
    void providesTheLearnedCostModelFallingBackToTheConfiguredRule() {
        runner.withPropertyValues("kiwo.classifier.thresholds.page-count=10")
                .run(context -> {
                    assertThat(context).hasSingleBean(SharedCostModel.class);
                    assertThat(context.getBean(SharedCostModel.class).settings().minSamples()).isEqualTo(200);
                    // untrained: the rule decides, with the configured 10 pages
                    assertThat(context.getBean(JobClassifier.class)).isInstanceOf(LearnedCostClassifier.class)
                            .extracting(model -> model.classify(new Job(
                                    "7b0c3c2e-6f1a-4a53-9a43-5b2f4c1d2e3f", "n", 0, 10, 0, Instant.EPOCH)))
                            .isEqualTo(new Classification(JobClass.HEAVY, "pageCount",
                                    "model fallback (too_few_samples): pageCount>=10", true));
                });
    }

    @Test
    void backsOffWhenTheApplicationDeclaresAnotherModel() {
        runner.withBean(JobClassifier.class, () -> job -> new Classification(JobClass.LIGHT, "always", "always light"))
                .run(context -> assertThat(context).getBean(JobClassifier.class)
                        .isNotInstanceOf(LearnedCostClassifier.class));
    }

    @Test
    void refusesAPublishIntervalThatIsNotPositive() {
        runner.withPropertyValues("kiwo.classifier.model.publish-interval=0s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("publish-interval must be positive"));
    }
}
