package dev.kiwo.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * Adds {@value #DEFAULTS} (the Kafka clients' outage back-off and log levels) as the environment's
 * lowest-precedence property source, so every service shares them and a service's application.yaml, profiles or
 * environment variables still override any key. Map keys such as {@code spring.kafka.properties.*}
 * merge: a service's own entries add to these.
 */
public class KafkaDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DEFAULTS = "kiwo-kafka-defaults.yaml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(DEFAULTS)) {
            return;
        }
        try {
            for (PropertySource<?> source : new YamlPropertySourceLoader().load(DEFAULTS,
                    new ClassPathResource(DEFAULTS, KafkaDefaultsEnvironmentPostProcessor.class.getClassLoader()))) {
                environment.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + DEFAULTS, e);
        }
    }
}
