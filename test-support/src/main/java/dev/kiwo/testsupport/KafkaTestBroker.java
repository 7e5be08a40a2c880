package dev.kiwo.testsupport;

import java.util.Locale;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The real Kafka broker tests run against: one per test JVM, started on first use. By default
 * spring-kafka-test's in-JVM KRaft broker; {@code KIWO_TEST_KAFKA=testcontainers} runs Testcontainers' Apache
 * Kafka image instead. Not chosen by whether a Docker engine answers: where one runs but no registry does,
 * Testcontainers waits minutes on a pull that cannot succeed.
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
        String choice = System.getenv().getOrDefault("KIWO_TEST_KAFKA", "embedded").toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "embedded" -> false;
            case "testcontainers" -> true;
            default -> throw new IllegalStateException(
                    "KIWO_TEST_KAFKA must be embedded or testcontainers, was " + choice);
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
