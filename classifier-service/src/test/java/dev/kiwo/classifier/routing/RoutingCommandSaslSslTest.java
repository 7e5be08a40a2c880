package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.LocalKafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing command against a real broker whose clients' listener is SASL_SSL with SCRAM-SHA-512: with the
 * environment variables components/kafka-sasl-ssl gives the classifier's pod, or with a Kafka client properties
 * file, it shows and changes the configuration; a wrong password fails with exit status 1 and one line that names
 * the connection and the user but no password, and writes nothing.
 */
class RoutingCommandSaslSslTest {

    private static final String USER = "kiwo";
    private static final String PASSWORD = "kiwo-secret-" + Long.toHexString(System.nanoTime());
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    @TempDir
    static Path dir;

    private static LocalKafkaBroker broker;

    /** Outside the command: the broker's own PLAINTEXT listener, no credentials. */
    private static RoutingConfigTopic plaintext;

    @BeforeAll
    static void startBrokerWithASeed() throws Exception {
        broker = LocalKafkaBroker.formatWithSaslSslIn(dir.resolve("broker"), USER, PASSWORD).start();
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                broker.plaintextBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.JOBS_ROUTING.name(), 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get();
        }
        plaintext = new RoutingConfigTopic(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                broker.plaintextBootstrapServers()), Duration.ofSeconds(30));
        plaintext.write(RoutingConfig.seed(50, 200, 50, CLOCK.instant()));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void showsAndChangesItWithTheClassifiersEnvironmentVariablesOnASaslSslCluster() {
        // Given: the classifier pod's environment, as components/kafka-sasl-ssl and Secret kiwo-kafka-credentials
        // set it
        Map<String, String> pod = podEnvironment(PASSWORD);
        long before = plaintext.read().orElseThrow().version();

        // When: show, then set as an operator
        Run show = run(pod, "show");
        Run set = run(pod, "set", "pageCount=150", "--by", "ops");

        // Then: both log in, and the change is the next version on the topic
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("version=" + before + " ").contains("pageCount=");
        assertThat(set.status()).as(set.err()).isZero();
        assertThat(set.out()).startsWith("wrote version " + (before + 1)).contains("pageCount=150");
        RoutingConfig now = plaintext.read().orElseThrow();
        assertThat(now.version()).isEqualTo(before + 1);
        assertThat(now.pageCount()).isEqualTo(150);
        assertThat(now.changedBy()).isEqualTo("ops");
        assertThat(now.changedAt()).isEqualTo(CLOCK.instant());
    }

    @Test
    void takesTheLoginFromACommandConfigFileAndTheBrokersFromTheCommandLine() throws Exception {
        // Given: no Kafka settings in the environment, only a client properties file as Kafka's tools take
        Path config = dir.resolve("client.properties");
        Files.writeString(config, String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + jaas(USER, PASSWORD).replace("\\", "\\\\"),
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + broker.caCertificate().toAbsolutePath()), StandardCharsets.UTF_8);

        // When
        Run show = run(Map.of(), "--bootstrap-servers", broker.bootstrapServers(), "--command-config",
                config.toString(), "show");

        // Then
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).startsWith("version=").contains("imageCount=");
    }

    @Test
    void aWrongPasswordFailsWithOneLineNamingTheUserButNoPasswordAndWritesNothing() {
        // Given
        String wrong = "not-the-password-" + Long.toHexString(System.nanoTime());
        RoutingConfig before = plaintext.read().orElseThrow();

        // When
        Run set = run(podEnvironment(wrong), "set", "imageCount=40");

        // Then
        assertThat(set.status()).isEqualTo(1);
        assertThat(set.err().lines()).hasSize(1).first().asString()
                .startsWith("routing: cannot read or write jobs.routing at bootstrap servers "
                        + broker.bootstrapServers()
                        + " (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, user=kiwo): ")
                .containsIgnoringCase("invalid credentials");
        assertThat(set.out() + set.err()).doesNotContain(wrong).doesNotContain(PASSWORD);
        assertThat(plaintext.read()).contains(before);
    }

    /** What components/kafka-sasl-ssl, the credentials Secret and base's kiwo-common give the classifier. */
    private static Map<String, String> podEnvironment(String password) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SPRING_KAFKA_BOOTSTRAPSERVERS", broker.bootstrapServers());
        environment.put("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        environment.put("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512");
        environment.put("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG",
                jaas("${KAFKA_SASL_USERNAME}", "${KAFKA_SASL_PASSWORD}"));
        environment.put("SPRING_KAFKA_SSL_TRUSTSTORETYPE", "PEM");
        environment.put("SPRING_KAFKA_SSL_TRUSTSTORELOCATION", broker.caCertificate().toUri().toString());
        environment.put("KAFKA_SASL_USERNAME", USER);
        environment.put("KAFKA_SASL_PASSWORD", password);
        return environment;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RoutingCommand.run(List.of(args), environment, "tester", CLOCK,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
