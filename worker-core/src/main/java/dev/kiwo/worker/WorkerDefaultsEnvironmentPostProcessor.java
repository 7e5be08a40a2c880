package dev.kiwo.worker;

import dev.kiwo.kafka.DefaultsFileEnvironmentPostProcessor;
import org.springframework.core.Ordered;

/**
 * Adds {@value #DEFAULTS} (what every worker pool shares) as a lowest-precedence property source, so a pool's
 * application.yaml, profiles or environment variables override any key and state only what makes the pool. Runs
 * just before kafka-support's post-processor, so these defaults rank above the Kafka ones.
 */
public class WorkerDefaultsEnvironmentPostProcessor extends DefaultsFileEnvironmentPostProcessor implements Ordered {

    static final String DEFAULTS = "kiwo-worker-defaults.yaml";

    public WorkerDefaultsEnvironmentPostProcessor() {
        super(DEFAULTS);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 1;
    }
}
