package dev.kiwo.kafka;

/**
 * Adds {@value #DEFAULTS} (the Kafka clients' outage back-off and log levels) as the environment's
 * lowest-precedence property source, so every service shares them and a service's application.yaml, profiles or
 * environment variables still override any key.
 */
public class KafkaDefaultsEnvironmentPostProcessor extends DefaultsFileEnvironmentPostProcessor {

    static final String DEFAULTS = "kiwo-kafka-defaults.yaml";

    public KafkaDefaultsEnvironmentPostProcessor() {
        super(DEFAULTS);
    }
}
