package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * A pool's effective configuration: its application.yaml over worker-core's kiwo-worker-defaults.yaml resolves
 * every key to the value a subclass states, and the two files set no other key. Boots the pool's Environment
 * only (no beans, no broker), without the JVM's system properties and environment variables, which another test
 * in the same JVM (a test broker's address) or the machine may set. Published in worker-core's test-jar.
 */
public abstract class PoolConfigurationTest {

    private final Map<String, String> expected;

    protected PoolConfigurationTest(Map<String, String> expected) {
        this.expected = expected;
    }

    @Test
    protected void resolvesEveryKeyOfThePoolToItsValue() {
        StandardEnvironment filesOnly = new StandardEnvironment();
        filesOnly.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        filesOnly.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(NoBeans.class)
                .environment(filesOnly).web(WebApplicationType.NONE).logStartupInfo(false).run()) {
            ConfigurableEnvironment environment = context.getEnvironment();
            Map<String, String> resolved = new TreeMap<>();
            expected.keySet().forEach(key -> resolved.put(key, environment.getProperty(key)));
            assertThat(resolved).isEqualTo(new TreeMap<>(expected));
            assertThat(keysOfThePoolAndItsDefaults(environment)).isEqualTo(new TreeSet<>(expected.keySet()));
        }
    }

    private static Set<String> keysOfThePoolAndItsDefaults(ConfigurableEnvironment environment) {
        Set<String> keys = new TreeSet<>();
        environment.getPropertySources().stream()
                .filter(source -> source.getName().equals(WorkerDefaultsEnvironmentPostProcessor.DEFAULTS)
                        || source.getName().contains("[application.yaml]"))
                .forEach(source -> keys.addAll(Set.of(((EnumerablePropertySource<?>) source).getPropertyNames())));
        return keys;
    }

    /** The environment only: application.yaml and the post-processors' defaults, without any bean. */
    @Configuration(proxyBeanMethods = false)
    static class NoBeans {
    }
}
