package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.testsupport.LocalKafkaBroker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The services' runnable jars against a broker whose only client listener is SASL_SSL with SCRAM-SHA-512 and a
 * certificate made for the test, configured the way components/kafka-sasl-ssl configures them: a job posted to
 * the API is routed by the classifier and run by the light pool, each over TLS with its login; with a wrong
 * password a service does not start, and says why in one line.
 */
class SaslSslPipelineTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final String USER = "kiwo";
    private static final String PASSWORD = "kiwo-" + Long.toHexString(System.nanoTime());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path LOGS = Path.of(System.getProperty("kiwo.logs.dir", "target/e2e-logs"));

    private static final List<KiwoService> services = new ArrayList<>();
    private static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = LocalKafkaBroker.formatWithSaslSslIn(LOGS.resolve("sasl-ssl-broker-" + System.nanoTime()), USER,
                PASSWORD).start();
    }

    @AfterAll
    static void stop() {
        ServiceJars.stopAll();
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aJobPostedToTheApiIsRoutedAndRunOverSaslSsl() throws Exception {
        KiwoService api = start("sasl-ssl-api", App.API, PASSWORD);
        start("sasl-ssl-classifier", App.CLASSIFIER, PASSWORD,
                "--spring.kafka.streams.state-dir=" + LOGS.resolve("sasl-ssl-streams-state"));
        start("sasl-ssl-worker-light", App.WORKER_LIGHT, PASSWORD, "--kiwo.worker.cost.scale=0.01");
        for (KiwoService service : services) {
            service.awaitReady(START_TIMEOUT);
        }

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.uri("/jobs"))
                .header("Content-Type", "application/json").header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString("{\"fileSizeMb\":2,\"pageCount\":3,\"imageCount\":0}"))
                .timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode job = JSON.readTree(response.body());
        assertThat(job.get("status").stringValue()).isEqualTo("SUCCEEDED");
        assertThat(job.get("jobClass").stringValue()).isEqualTo("LIGHT");
    }

    @Test
    void aWrongPasswordStopsAServiceAtStartUpWithOneClearLine() throws Exception {
        String wrong = "wrong-" + Long.toHexString(System.nanoTime());
        KiwoService classifier = start("sasl-ssl-wrong-password", App.CLASSIFIER, wrong,
                "--spring.kafka.streams.state-dir=" + LOGS.resolve("sasl-ssl-wrong-password-state"));

        assertThatThrownBy(() -> classifier.awaitReady(START_TIMEOUT)).hasMessageContaining("exited during start-up");
        assertThat(classifier.process().awaitExit(Duration.ofSeconds(10))).as("exit code").isEqualTo(1);
        String log = Files.readString(LOGS.resolve("sasl-ssl-wrong-password.log"));
        assertThat(log).contains("APPLICATION FAILED TO START")
                .contains("Kafka rejected the login at bootstrap servers " + broker.bootstrapServers()
                        + " (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, user=" + USER + "): ")
                .contains("Check the user name and password")
                .doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    /** The settings components/kafka-sasl-ssl gives every Deployment, as Spring arguments. */
    private static KiwoService start(String logName, App app, String password, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--spring.kafka.security.protocol=SASL_SSL",
                "--spring.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
                "--spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"" + USER + "\" password=\"" + password + "\";",
                "--spring.kafka.ssl.trust-store-type=PEM",
                "--spring.kafka.ssl.trust-store-location=" + broker.caCertificate().toUri()));
        args.addAll(List.of(more));
        KiwoService service = ServiceJars.startAs(logName, app, broker.bootstrapServers(),
                args.toArray(String[]::new));
        services.add(service);
        return service;
    }
}
