package dev.kiwo.testsupport;

import java.util.Locale;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The real Kafka broker tests run against: one per test JVM, started on first use. With a Docker engine
 * it is Testcontainers' Apache Kafka image, otherwise spring-kafka-test's in-JVM KRaft broker. Set
 * {@code KIWO_TEST_KAFKA} to {@code embedded} or {@code testcontainers} to choose.
 */
public final class KafkaTestBroker {

    /** The image Testcontainers runs: the Kafka release the clients are built against. */
    public static final String IMAGE = "apache/kafka:4.2.1";

    private static final Map<String, String> BROKER_PROPERTIES = Map.of(
            "auto.create.topics.enable", "false",
            "offsets.topic.replication.factor", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0");

    private static String bootstrapServers;

    private KafkaTestBroker() {
    }

    /** Starts the broker if needed and returns its bootstrap servers. */
    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            bootstrapServers = useTestcontainers() ? startContainer() : startEmbedded();
        }
        return bootstrapServers;
    }

    private static boolean useTestcontainers() {
        String choice = System.getenv().getOrDefault("KIWO_TEST_KAFKA", "auto").toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "embedded" -> false;
            case "testcontainers" -> true;
            case "auto" -> DockerClientFactory.instance().isDockerAvailable();
            default -> throw new IllegalStateException(
                    "KIWO_TEST_KAFKA must be embedded, testcontainers or auto, was " + choice);
        };
    }

    private static String startEmbedded() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperties(BROKER_PROPERTIES);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "kafka-test-broker-stop"));
        return broker.getBrokersAsString();
    }

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
    private static String startContainer() {
        KafkaContainer container = new KafkaContainer(IMAGE);
        BROKER_PROPERTIES.forEach((key, value) ->
                container.withEnv("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
        container.start();
        return container.getBootstrapServers();
    }
}
