package dev.kiwo.testsupport;

import dev.kiwo.launcher.LocalBroker;
import dev.kiwo.launcher.ManagedProcess;
import dev.kiwo.launcher.Ports;
import dev.kiwo.launcher.Project;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The broker local mode runs (the launcher's {@link LocalBroker}: local-kafka's classpath and config, KRaft, one
 * node) as its own process on free loopback ports, with its data in a directory of the caller's choosing. Unlike
 * {@link KafkaTestBroker} it can be stopped and started again on the same ports and data, which outage and crash
 * tests need. It needs {@code local-kafka/target/lib}: a module whose tests use it declares a test-scope dependency
 * on local-kafka's pom so the reactor builds that first. The project root is the {@code kiwo.root.dir} system
 * property, else the parent of the module's directory.
 *
 * <p>{@link #formatWithSaslSslIn} runs it with clients' listener on SASL_SSL (SCRAM-SHA-512, a certificate
 * from {@link TestCertificates}) and a PLAINTEXT listener between the broker and itself, which tests may use
 * to look at topics without credentials.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** A short-lived test broker: quick start-up matters more than peak throughput. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
    /**
     * A killed consumer's partitions move once its session expires: 10 s instead of 45 s keeps crash tests short
     * without changing what they prove.
     */
    private static final String SHORT_GROUP_SESSIONS = """
            group.consumer.min.session.timeout.ms=5000
            group.consumer.session.timeout.ms=10000
            group.consumer.min.heartbeat.interval.ms=1000
            group.consumer.heartbeat.interval.ms=2000
            """;

    private final LocalBroker broker;
    private final Path log;
    private final int plaintextPort;
    private final TestCertificates certificates;
    private ManagedProcess process;

    private LocalKafkaBroker(LocalBroker broker, int plaintextPort, TestCertificates certificates) {
        this.broker = broker;
        this.log = broker.dir().resolve("kafka.log");
        this.plaintextPort = plaintextPort;
        this.certificates = certificates;
    }

    private static LocalKafkaBroker formatted(LocalBroker broker, int plaintextPort, TestCertificates certificates) {
        broker.format(broker.dir().resolve("format.log"));
        return new LocalKafkaBroker(broker, plaintextPort, certificates);
    }

    /** Formats fresh storage in {@code dir} for a broker on free loopback ports; {@link #start} runs it. */
    public static LocalKafkaBroker formatIn(Path dir) {
        int port = Ports.free();
        return formatted(builder(dir).ports(port, Ports.free()).properties(SHORT_GROUP_SESSIONS).build(), port, null);
    }

    /**
     * Formats fresh storage in {@code dir} for a broker whose clients' listener is SASL_SSL with SCRAM-SHA-512,
     * knowing {@code user} with {@code password}; {@link #start} runs it. Its certificate is made in
     * {@code dir/tls}; clients trust {@link #caCertificate()}.
     */
    public static LocalKafkaBroker formatWithSaslSslIn(Path dir, String user, String password) {
        int port = Ports.free();
        int plaintextPort = Ports.free();
        int controllerPort = Ports.free();
        TestCertificates certificates = TestCertificates.makeIn(dir.resolve("tls"));
        // These listeners replace the launcher's PLAINTEXT-only lines, which come first.
        String listeners = "SASL_SSL://127.0.0.1:" + port + ",PLAINTEXT://127.0.0.1:" + plaintextPort;
        LocalBroker broker = builder(dir).ports(port, controllerPort)
                .properties("listeners=" + listeners + ",CONTROLLER://127.0.0.1:" + controllerPort + "\n"
                        + "advertised.listeners=" + listeners + "\n"
                        + saslSslSettings(certificates) + SHORT_GROUP_SESSIONS)
                .formatArguments(List.of("--add-scram", "SCRAM-SHA-512=[name=" + user + ",password=" + password + "]"))
                .build();
        return formatted(broker, plaintextPort, certificates);
    }

    private static LocalBroker.Builder builder(Path dir) {
        return LocalBroker.in(dir, Project.at(rootDir())).host("127.0.0.1").jvmOptions(JVM_OPTIONS);
    }

    /** The clients' listener: SASL_SSL for a broker from {@link #formatWithSaslSslIn}, else PLAINTEXT. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The PLAINTEXT listener, without credentials: the same as {@link #bootstrapServers} unless SASL_SSL. */
    public String plaintextBootstrapServers() {
        return "127.0.0.1:" + plaintextPort;
    }

    /** The PEM certificate of the CA that signed the SASL_SSL listener's certificate. */
    public Path caCertificate() {
        if (certificates == null) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return certificates.caCertificate();
    }

    /** Starts the broker, after {@link #stop} on the same ports and data; returns once it accepts connections. */
    public LocalKafkaBroker start() {
        if (process != null && process.alive()) {
            throw new IllegalStateException("the broker already runs");
        }
        process = broker.start(log, READY_TIMEOUT);
        return this;
    }

    /** Stops the broker by the launcher's one stop rule: SIGTERM, SIGKILL if it does not exit in time. */
    public void stop() {
        if (process != null) {
            process.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static String saslSslSettings(TestCertificates certificates) {
        return "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL\n"
                + "inter.broker.listener.name=PLAINTEXT\n"
                + "sasl.enabled.mechanisms=SCRAM-SHA-512\n"
                + "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                + "org.apache.kafka.common.security.scram.ScramLoginModule required;\n"
                + "ssl.keystore.type=PKCS12\n"
                + "ssl.keystore.location=" + certificates.brokerKeyStore() + "\n"
                + "ssl.keystore.password=" + certificates.keyStorePassword() + "\n"
                + "ssl.key.password=" + certificates.keyStorePassword() + "\n";
    }

    private static Path rootDir() {
        String root = System.getProperty("kiwo.root.dir");
        return root != null ? Path.of(root) : Path.of(System.getProperty("basedir", ".")).resolve("..");
    }
}
