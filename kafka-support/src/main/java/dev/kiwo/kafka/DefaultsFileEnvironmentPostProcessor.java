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
 * Adds a YAML file of shared defaults from the classpath as a lowest-precedence property source, so a service's
 * application.yaml, profiles or environment variables still override any key. Map keys such as
 * {@code spring.kafka.properties.*} merge: a service's own entries add to these. Each defaults file is one subclass,
 * registered in META-INF/spring.factories.
 */
public abstract class DefaultsFileEnvironmentPostProcessor implements EnvironmentPostProcessor {

    private final String file;

    protected DefaultsFileEnvironmentPostProcessor(String file) {
        this.file = file;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        addLast(environment, file, getClass().getClassLoader());
    }

    /** Adds the YAML {@code file} from the classpath after every property source, unless it is there already. */
    public static void addLast(ConfigurableEnvironment environment, String file, ClassLoader classLoader) {
        if (environment.getPropertySources().contains(file)) {
            return;
        }
        try {
            for (PropertySource<?> source : new YamlPropertySourceLoader().load(file,
                    new ClassPathResource(file, classLoader))) {
                environment.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
