package dev.kiwo.classifier.routing;

import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Writes the seed, version 1 from application.yaml, when {@code jobs.routing} has never held a record. Several
 * instances starting at once may each write it; readers take the later record of a version, as compaction keeps the
 * later one, so every instance still decides with one and the same configuration. Until a record arrives the
 * topology decides with the seed anyway, so a failure here is logged and start-up goes on.
 */
final class RoutingConfigSeeder implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingConfigSeeder.class);

    private final RoutingConfigTopic topic;
    private final RoutingConfig seed;

    RoutingConfigSeeder(RoutingConfigTopic topic, RoutingConfig seed) {
        this.topic = topic;
        this.seed = seed;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            if (topic.isEmpty()) {
                topic.write(seed);
                LOG.info("Seeded {} with routing configuration version 1 from application.yaml",
                        Topics.JOBS_ROUTING.name());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not seed {} ({}); deciding with the values of application.yaml until a configuration is "
                    + "written", Topics.JOBS_ROUTING.name(), e.getMessage());
        }
    }
}
