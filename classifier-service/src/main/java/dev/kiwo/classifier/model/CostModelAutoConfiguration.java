package dev.kiwo.classifier.model;

import dev.kiwo.classifier.decision.HeavyJobRule;
import dev.kiwo.classifier.decision.JobClassifier;
import dev.kiwo.classifier.decision.Thresholds;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The model that decides in {@code model} mode and is watched in {@code shadow} mode: the learned cost model, unless
 * the application declares its own {@link JobClassifier}. It is an auto-configuration, not a plain configuration,
 * because only those are evaluated after the application's beans, which is what makes the back-off reliable. The
 * threshold rule is not a bean: it always decides in {@code rule} mode, with the live thresholds.
 */
@AutoConfiguration
@EnableConfigurationProperties({Thresholds.class, CostModelProperties.class})
public class CostModelAutoConfiguration {

    @Bean
    SharedCostModel sharedCostModel(CostModelProperties properties, MeterRegistry registry) {
        SharedCostModel shared = new SharedCostModel(properties.settings());
        Gauge.builder("kiwo.classifier.model.samples", shared, s -> s.current().samples())
                .description("Results the published cost model has learned from")
                .register(registry);
        Gauge.builder("kiwo.classifier.model.recent.relative.error", shared, s -> s.current().recentRelativeError())
                .description("Running mean of the cost model's recent relative errors; above "
                        + "kiwo.classifier.model.max-recent-relative-error it is not trusted")
                .register(registry);
        return shared;
    }

    @Bean
    @ConditionalOnMissingBean(JobClassifier.class)
    LearnedCostClassifier learnedCostClassifier(SharedCostModel model, Thresholds thresholds,
            MeterRegistry registry) {
        return new LearnedCostClassifier(model, new HeavyJobRule(thresholds), registry);
    }
}
