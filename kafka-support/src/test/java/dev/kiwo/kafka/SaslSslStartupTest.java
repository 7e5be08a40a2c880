package dev.kiwo.kafka;

import static dev.kiwo.kafka.TopicOwnershipTest.startupFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kiwo.testsupport.LocalKafkaBroker;
import dev.kiwo.testsupport.TestCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The start-up check against a real broker whose clients' listener is SASL_SSL with SCRAM-SHA-512, with
 * certificates made for the test: the right credentials start, a wrong password, a truststore without the
 * broker's CA and a plaintext client each fail start-up with one line saying what to check.
 */
@ExtendWith(OutputCaptureExtension.class)
class SaslSslStartupTest {

    private static final String USER = "kiwo";
    private static final String PASSWORD = "kiwo-secret-" + Long.toHexString(System.nanoTime());

    @TempDir
    static Path dir;

    private static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = LocalKafkaBroker.formatWithSaslSslIn(dir.resolve("broker"), USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theRightCredentialsStartAndCreateTheTopicsOverSaslSsl() throws Exception {
        try (ConfigurableApplicationContext context = start(PASSWORD, broker.caCertificate())) {
            assertThat(context.getBean(KafkaStartupCheck.class)).isNotNull();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.plaintextBootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains("jobs.in", "jobs.light", "jobs.results");
        }
    }

    @Test
    void aWrongPasswordFailsStartUpNamingTheConnectionButNotThePassword(CapturedOutput output) {
        String wrong = "not-the-password-" + Long.toHexString(System.nanoTime());

        Throwable failure = catchThrowable(() -> start(wrong, broker.caCertificate()));

        KafkaStartupException startup = startupFailure(failure);
        assertThat(startup.getMessage()).startsWith("Kafka rejected the login at bootstrap servers "
                + broker.bootstrapServers() + " (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, user=kiwo): ")
                .containsIgnoringCase("invalid credentials");
        assertThat(startup.action()).contains("user name and password");
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains(startup.getMessage())
                .doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    @Test
    void aTruststoreWithoutTheBrokersCaFailsStartUpOnTheHandshake() {
        Path otherCa = TestCertificates.makeIn(dir.resolve("other-ca")).caCertificate();

        Throwable failure = catchThrowable(() -> start(PASSWORD, otherCa));

        assertThat(startupFailure(failure).getMessage()).startsWith("TLS handshake with Kafka failed at bootstrap "
                + "servers " + broker.bootstrapServers() + " (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, "
                + "user=kiwo): ");
        assertThat(startupFailure(failure).action()).contains("truststore");
    }

    @Test
    void aPlaintextClientOnTheTlsListenerFailsStartUpAfterTheCheckTimeout() {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(TopicOwnershipTest.KafkaApp.class)
                .web(WebApplicationType.NONE)
                .run("--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(), "--kiwo.topics.check-timeout=3s"));

        assertThat(startupFailure(failure).getMessage()).startsWith("Kafka did not answer within 3s at bootstrap "
                + "servers " + broker.bootstrapServers() + " (security.protocol=PLAINTEXT) while describing topic ");
    }

    private static ConfigurableApplicationContext start(String password, Path trustedCa) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--spring.kafka.security.protocol=SASL_SSL",
                "--spring.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
                "--spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"" + USER + "\" password=\"" + password + "\";",
                "--spring.kafka.ssl.trust-store-type=PEM",
                "--spring.kafka.ssl.trust-store-location=" + trustedCa.toUri(),
                "--kiwo.topics.check-timeout=20s"));
        return new SpringApplicationBuilder(TopicOwnershipTest.KafkaApp.class).web(WebApplicationType.NONE)
                .run(args.toArray(String[]::new));
    }
}
