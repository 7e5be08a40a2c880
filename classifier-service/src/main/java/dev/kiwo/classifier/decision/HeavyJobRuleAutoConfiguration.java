package dev.kiwo.classifier.decision;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Supplies {@link HeavyJobRule} unless the application declares its own {@link JobClassifier}. It is an
 * auto-configuration, not a plain configuration, because only those are evaluated after the application's
 * beans, which is what makes the back-off reliable.
 */
@AutoConfiguration
@EnableConfigurationProperties(Thresholds.class)
public class HeavyJobRuleAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(JobClassifier.class)
    HeavyJobRule heavyJobRule(Thresholds thresholds) {
        return new HeavyJobRule(thresholds);
    }
}
