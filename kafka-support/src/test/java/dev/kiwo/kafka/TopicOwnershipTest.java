package dev.kiwo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kiwo.model.TopicLayout;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.KafkaAdmin;

/** Who creates kiwo's topics, and what start-up does when the broker's topics are not the declared ones. */
class TopicOwnershipTest {

    private static final String KAFKA = KafkaTestBroker.bootstrapServers();

    @Test
    void managedTopicsAreCreatedWithTheirDeclaredPartitionsAndConfigs() throws Exception {
        try (ConfigurableApplicationContext context = start("--kiwo.topics.manage=true")) {
            assertThat(context.getBean(KafkaStartupCheck.class)).isNotNull();
        }

        try (Admin admin = admin()) {
            for (NewTopic declared : TopicLayout.DEFAULTS.newTopics()) {
                assertThat(admin.describeTopics(List.of(declared.name())).allTopicNames().get()
                        .get(declared.name()).partitions()).as(declared.name()).hasSize(declared.numPartitions());
                Map<String, String> configs = configs(admin, declared.name());
                assertThat(configs).as(declared.name()).containsAllEntriesOf(declared.configs());
            }
            assertThat(configs(admin, "jobs.in")).containsEntry("retention.ms", "604800000")
                    .containsEntry("min.insync.replicas", "1").containsEntry("cleanup.policy", "delete");
            assertThat(configs(admin, "jobs.dlq")).containsEntry("retention.ms", "1209600000");
            assertThat(configs(admin, "jobs.cancellations")).containsEntry("cleanup.policy", "compact,delete");
        }
    }

    @Test
    void withoutTopicOwnershipAMissingTopicFailsStartUpNamingIt() {
        String missing = "kiwo-missing-" + UUID.randomUUID();

        Throwable failure = catchThrowable(() -> start(List.of(new NewTopic(missing, 2, (short) 1)),
                "--kiwo.topics.manage=false"));

        assertThat(startupFailure(failure).getMessage())
                .startsWith("Kafka topics missing at bootstrap servers " + KAFKA + " (security.protocol=PLAINTEXT)")
                .contains(missing + " (2 partitions)")
                .contains("kiwo.topics.manage=false leaves creating them to the cluster's owner");
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).as("nothing created").doesNotContain(missing);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTopicWithAnotherPartitionCountFailsStartUpAndKeepsItsPartitions() throws Exception {
        String topic = "kiwo-resized-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            assertThat(partitions(admin, topic)).isEqualTo(2);
        }
        // The layout's own topics exist (created here if this test runs first) with their default counts.
        start("--kiwo.topics.manage=true").close();

        for (String manage : List.of("true", "false")) {
            Throwable failure = catchThrowable(() -> start(List.of(new NewTopic(topic, 4, (short) 1)),
                    "--kiwo.topics.manage=" + manage, "--kiwo.topics.dlq-partitions=5"));

            assertThat(startupFailure(failure).getMessage()).as("manage=%s", manage)
                    .contains("topic jobs.dlq has 3 partitions, the layout declares 5")
                    .contains("topic " + topic + " has 2 partitions, the layout declares 4")
                    .contains("kiwo never changes a topic's partition count");
        }
        try (Admin admin = admin()) {
            assertThat(partitions(admin, topic)).isEqualTo(2);
            assertThat(partitions(admin, "jobs.dlq")).isEqualTo(3);
        }
    }

    @Test
    void springKafkaAdminNeitherCreatesNorGrowsDeclaredTopics() throws Exception {
        String topic = "kiwo-admin-" + UUID.randomUUID();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            assertThat(partitions(admin, topic)).isEqualTo(1);
        }
        // Declared the Spring Kafka way, which KafkaAdmin would grow to 3 partitions at start-up and on initialize().
        Object springDeclaration = new KafkaAdmin.NewTopics(new NewTopic(topic, 3, (short) 1));
        try (ConfigurableApplicationContext context = start(Map.of("springTopics", springDeclaration),
                "--kiwo.topics.manage=true")) {
            context.getBean(KafkaAdmin.class).initialize();
        }
        try (Admin admin = admin()) {
            assertThat(partitions(admin, topic)).isEqualTo(1);
        }
    }

    static KafkaStartupException startupFailure(Throwable failure) {
        assertThat(failure).as("start-up failed").isNotNull();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KafkaStartupException startup) {
                assertThat(startup.getMessage()).as("one line").doesNotContain("\n");
                return startup;
            }
        }
        throw new AssertionError("no KafkaStartupException in", failure);
    }

    private static ConfigurableApplicationContext start(String... args) {
        return start(List.of(), args);
    }

    private static ConfigurableApplicationContext start(Collection<NewTopic> extra, String... args) {
        return start(Map.of("extraTopics", new DeclaredTopics(List.copyOf(extra))), args);
    }

    private static ConfigurableApplicationContext start(Map<String, Object> beans, String... args) {
        List<String> all = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + KAFKA));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(KafkaApp.class).web(WebApplicationType.NONE)
                .initializers(context -> beans.forEach(context.getBeanFactory()::registerSingleton))
                .run(all.toArray(String[]::new));
    }

    /** The topic's partition count, once the broker's metadata knows the topic (it lags a creation briefly). */
    private static int partitions(Admin admin, String topic) {
        return Awaitility.await(topic + " described").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size(),
                        count -> count > 0);
    }

    private static Map<String, String> configs(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        return config.entries().stream().collect(Collectors.toMap(ConfigEntry::name, e -> String.valueOf(e.value())));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA));
    }

    /** Spring Boot's Kafka auto-configuration and kiwo's, nothing else. */
    @SpringBootConfiguration
    @ImportAutoConfiguration({KafkaAutoConfiguration.class, KafkaSupportAutoConfiguration.class})
    static class KafkaApp {
    }
}
