package dev.kiwo.classifier.routing;

import dev.kiwo.kafka.DefaultsFileEnvironmentPostProcessor;
import dev.kiwo.kafka.KafkaDefaultsEnvironmentPostProcessor;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The Kafka client settings of the classifier service, read outside the application for the {@code routing}
 * command: {@code spring.kafka.*} bound from the same sources the service reads them from (its environment
 * variables such as {@code SPRING_KAFKA_SECURITY_PROTOCOL}, the jar's application.yaml and
 * kafka-support's shared defaults, in that precedence) and turned into client properties by
 * {@link KafkaProperties#buildAdminProperties()}, as the service's own start-up seed does. So in the classifier's
 * pod the command connects as the service does, with its credentials, truststore and bootstrap servers.
 */
final class ServiceKafkaSettings {

    private static final String APPLICATION_YAML = "application.yaml";

    private ServiceKafkaSettings() {
    }

    /**
     * The client properties for {@code environment} (the process's environment variables), then every property
     * of {@code commandConfig} (a Kafka client properties file, as Kafka's own tools take), then
     * {@code bootstrapServers}; either may be null.
     *
     * @throws UncheckedIOException when application.yaml or the properties file cannot be read
     */
    static Map<String, Object> clientConfigs(Map<String, String> environment, Path commandConfig,
                                             String bootstrapServers) {
        Map<String, Object> configs = new HashMap<>(bind(environment).buildAdminProperties());
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --command-config " + commandConfig + " ("
                        + e.getClass().getSimpleName() + ")", e);
            }
            file.stringPropertyNames().forEach(name -> configs.put(name, file.getProperty(name)));
        }
        if (bootstrapServers != null) {
            configs.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        return configs;
    }

    private static KafkaProperties bind(Map<String, String> environmentVariables) {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        // Under its usual name, so that Spring's relaxed binding maps SPRING_KAFKA_PROPERTIES_SASL_MECHANISM
        // to spring.kafka.properties.sasl.mechanism as it does for the service.
        sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.copyOf(environmentVariables)));
        // Only what is passed in: the command's own JVM has no -D settings to give, and a system property left by
        // whatever else runs in this JVM must not redirect it.
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        DefaultsFileEnvironmentPostProcessor.addLast(environment, APPLICATION_YAML,
                ServiceKafkaSettings.class.getClassLoader());
        new KafkaDefaultsEnvironmentPostProcessor().postProcessEnvironment(environment, null);
        // Placeholders such as the JAAS configuration's ${KAFKA_SASL_PASSWORD} resolve from the same sources.
        return Binder.get(environment).bindOrCreate("spring.kafka", KafkaProperties.class);
    }
}
