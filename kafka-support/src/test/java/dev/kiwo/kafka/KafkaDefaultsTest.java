package dev.kiwo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

/** Every service gets kiwo-kafka-defaults.yaml, and its own configuration overrides and adds to it. */
class KafkaDefaultsTest {

    @Test
    void anApplicationWithoutSettingsOfItsOwnGetsTheDefaults() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(producerProperties(context))
                    .containsEntry("reconnect.backoff.ms", "250")
                    .containsEntry("reconnect.backoff.max.ms", "3000")
                    .containsEntry("retry.backoff.max.ms", "2000");
            assertThat(level(context, "org.apache.kafka.clients.NetworkClient")).isEqualTo(LogLevel.ERROR);
            assertThat(level(context, "org.apache.kafka.clients.Metadata")).isEqualTo(LogLevel.WARN);
            assertThat(level(context, "org.apache.kafka.clients.FetchSessionHandler")).isEqualTo(LogLevel.WARN);
            assertThat(level(context, "org.apache.kafka.clients.admin.internals.AdminMetadataManager"))
                    .isEqualTo(LogLevel.WARN);
        }
    }

    @Test
    void anApplicationsYamlAndArgumentsOverrideDefaultsAndItsKafkaPropertiesMergeWithThem() {
        try (ConfigurableApplicationContext context = start("--spring.config.location=classpath:/kafka-defaults-app.yaml",
                "--logging.level.org.apache.kafka.clients.FetchSessionHandler=debug")) {
            assertThat(producerProperties(context))
                    .containsEntry("reconnect.backoff.max.ms", "5000")
                    .containsEntry("client.dns.lookup", "use_all_dns_ips")
                    .containsEntry("reconnect.backoff.ms", "250")
                    .containsEntry("retry.backoff.max.ms", "2000");
            assertThat(level(context, "org.apache.kafka.clients.Metadata")).isEqualTo(LogLevel.INFO);
            assertThat(level(context, "org.apache.kafka.clients.FetchSessionHandler")).isEqualTo(LogLevel.DEBUG);
            assertThat(level(context, "org.apache.kafka.clients.NetworkClient")).isEqualTo(LogLevel.ERROR);
        }
    }

    private static Map<String, Object> producerProperties(ConfigurableApplicationContext context) {
        return context.getBean(KafkaProperties.class).buildProducerProperties();
    }

    private static LogLevel level(ConfigurableApplicationContext context, String logger) {
        return context.getBean(LoggingSystem.class).getLoggerConfiguration(logger).getEffectiveLevel();
    }

    private static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(KafkaOnlyApp.class).web(WebApplicationType.NONE).run(args);
    }

    /** Spring Boot's Kafka configuration only: the defaults come from the environment, not from a bean. */
    @SpringBootConfiguration
    @ImportAutoConfiguration(KafkaAutoConfiguration.class)
    static class KafkaOnlyApp {
    }
}
