package dev.kiwo.classifier.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class HeavyJobRuleAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeavyJobRuleAutoConfiguration.class))
            .withPropertyValues("kiwo.classifier.thresholds.file-size-mb=50",
                    "kiwo.classifier.thresholds.page-count=200", "kiwo.classifier.thresholds.image-count=50");

    @Test
    void providesTheHeavyJobRuleWithConfiguredThresholds() {
        runner.withPropertyValues("kiwo.classifier.thresholds.page-count=10")
                .run(context -> assertThat(context.getBean(JobClassifier.class))
                        .isInstanceOf(HeavyJobRule.class)
                        .extracting(rule -> rule.classify(new Job(
                                "7b0c3c2e-6f1a-4a53-9a43-5b2f4c1d2e3f", "n", 0, 10, 0, Instant.EPOCH)))
                        .isEqualTo(new Classification(JobClass.HEAVY, "pageCount", "pageCount>=10")));
    }

    @Test
    void backsOffWhenTheApplicationDeclaresAnotherModel() {
        runner.withBean(JobClassifier.class, () -> job -> new Classification(JobClass.LIGHT, "always", "always light"))
                .run(context -> assertThat(context).getBean(JobClassifier.class).isNotInstanceOf(HeavyJobRule.class));
    }
}
