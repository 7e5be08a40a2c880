package dev.kiwo.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.launcher.ManagedProcess;
import dev.kiwo.launcher.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's start-up as a plain JVM, configured the way the in-cluster-kafka manifest configures the container:
 * KAFKA_* variables and CLUSTER_ID only, the image's default files from src/main/jib, nothing mounted.
 */
class BrokerLauncherTest {

    private static final Path DEFAULTS = Path.of("src/main/jib/etc/kafka/docker");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final String STARTED = "Kafka Server started";

    @TempDir
    Path dir;

    @Test
    void rendersTheEnvironmentFormatsTheStorageOnceAndRestartsOnIt() throws Exception {
        int port = Ports.free();
        Map<String, String> env = brokerEnvironment(port, Ports.free());

        Path firstLog = dir.resolve("first.log");
        ManagedProcess first = start(env, firstLog);
        try {
            awaitStarted(first);
            try (Admin admin = admin(port)) {
                admin.createTopics(List.of(new NewTopic("kiwo.restart", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        } finally {
            first.stop();
        }
        Properties rendered = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("config/server.properties"))) {
            rendered.load(in);
        }
        assertThat(rendered).containsEntry("auto.create.topics.enable", "false")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("log.dirs", dir.resolve("data/logs").toString())
                .doesNotContainKey("heap.opts");
        assertThat(dir.resolve("data/logs/meta.properties")).exists();
        assertThat(Files.readString(firstLog)).contains("Formatting").doesNotContain(BrokerLauncher.ALREADY_FORMATTED);

        // A restarted pod: same variables, same volume. The format step refuses, the broker starts on the data.
        Path secondLog = dir.resolve("second.log");
        ManagedProcess second = start(env, secondLog);
        try {
            awaitStarted(second);
            try (Admin admin = admin(port)) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).contains("kiwo.restart");
            }
        } finally {
            second.stop();
        }
        assertThat(Files.readString(secondLog)).contains(BrokerLauncher.ALREADY_FORMATTED);
    }

    @Test
    void refusesToStartWithoutAClusterId() throws Exception {
        Map<String, String> env = brokerEnvironment(Ports.free(), Ports.free());
        env.remove("CLUSTER_ID");
        Path log = dir.resolve("no-cluster-id.log");
        ManagedProcess process = start(env, log);
        try {
            assertThat(process.awaitExit(READY_TIMEOUT)).as("exit code").isNotZero();
            assertThat(Files.readString(log)).contains("CLUSTER_ID").doesNotContain(STARTED);
        } finally {
            process.stop();
        }
    }

    /** What components/in-cluster-kafka sets, on loopback ports and in the test's directory. */
    private Map<String, String> brokerEnvironment(int port, int controllerPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLUSTER_ID", Uuid.randomUuid().toString());
        env.put("KAFKA_NODE_ID", "1");
        env.put("KAFKA_PROCESS_ROLES", "broker,controller");
        env.put("KAFKA_LISTENERS", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        env.put("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://127.0.0.1:" + port);
        env.put("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        env.put("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
        env.put("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT");
        env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@127.0.0.1:" + controllerPort);
        env.put("KAFKA_LOG_DIRS", dir.resolve("data/logs").toString());
        env.put("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        env.put("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
        env.put("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
        env.put("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
        env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1");
        env.put("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
        env.put("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        // Not a broker property: the wrapper leaves the JVM options of Kafka's scripts out of server.properties.
        env.put("KAFKA_HEAP_OPTS", "-Xmx1g");
        return env;
    }

    private ManagedProcess start(Map<String, String> env, Path log) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                // A short-lived test broker: quick start-up matters more than peak throughput.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), BrokerLauncher.class.getName(),
                DEFAULTS.toString(), dir.resolve("mounted").toString(), dir.resolve("config").toString());
        // Only this test's variables: whatever KAFKA_* the build runs with would become broker properties.
        return ManagedProcess.start("kafka-broker", command, log, null, env,
                name -> name.startsWith("KAFKA_") || name.equals("CLUSTER_ID"));
    }

    private static void awaitStarted(ManagedProcess broker) {
        broker.watch(line -> line.contains(STARTED)).await(READY_TIMEOUT, "'" + STARTED + "'");
    }

    private static Admin admin(int port) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }
}
