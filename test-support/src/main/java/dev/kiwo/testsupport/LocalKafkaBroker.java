package dev.kiwo.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * The broker local mode runs (local-kafka's classpath and config, KRaft, one node) as its own process on
 * free loopback ports, with its data in a directory of the caller's choosing. Unlike {@link KafkaTestBroker}
 * it can be stopped and started again on the same ports and data, which outage and crash tests need.
 * It needs {@code local-kafka/target/lib}: a module whose tests use it declares a test-scope dependency on
 * local-kafka's pom so the reactor builds that first. The project root is the {@code kiwo.root.dir} system
 * property, else the parent of the module's directory.
 *
 * <p>{@link #formatWithSaslSslIn} runs it with clients' listener on SASL_SSL (SCRAM-SHA-512, a certificate
 * from {@link TestCertificates}) and a PLAINTEXT listener between the broker and itself, which tests may use
 * to look at topics without credentials.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path lib;
    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private final int plaintextPort;
    private final List<String> scramUsers = new ArrayList<>();
    private final TestCertificates certificates;
    private Process process;

    private LocalKafkaBroker(Path dir, int port, int controllerPort) throws IOException {
        this(dir, port, port, controllerPort, null);
    }

    /** With {@code certificates}, {@code port} is the SASL_SSL listener and {@code plaintextPort} the broker's own. */
    private LocalKafkaBroker(Path dir, int port, int plaintextPort, int controllerPort, TestCertificates certificates)
            throws IOException {
        this.lib = rootDir().resolve("local-kafka/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("The broker classpath " + lib + " is missing: run 'mvn -pl local-kafka "
                    + "package' first (a full 'mvn verify' builds it before the tests that need it)");
        }
        this.dir = dir;
        this.port = port;
        this.plaintextPort = plaintextPort;
        this.certificates = certificates;
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("kafka.log");
        // Later keys win in a properties file: local mode's settings, then this instance's ports and data.
        String base = Files.readString(rootDir().resolve("local-kafka/config/server.properties"));
        String listeners = certificates == null ? "" : "SASL_SSL://127.0.0.1:" + port + ",";
        Files.writeString(config, base + "\n"
                + "listeners=" + listeners + "PLAINTEXT://127.0.0.1:" + plaintextPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort + "\n"
                + "advertised.listeners=" + listeners + "PLAINTEXT://127.0.0.1:" + plaintextPort + "\n"
                + (certificates == null ? "" : saslSslSettings(certificates))
                + "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort + "\n"
                + "log.dirs=" + dir.resolve("data") + "\n"
                // A killed consumer's partitions move once its session expires: 10 s instead of 45 s keeps
                // crash tests short without changing what they prove.
                + "group.consumer.min.session.timeout.ms=5000\n"
                + "group.consumer.session.timeout.ms=10000\n"
                + "group.consumer.min.heartbeat.interval.ms=1000\n"
                + "group.consumer.heartbeat.interval.ms=2000\n");
    }

    /** Formats fresh storage in {@code dir} for a broker on free loopback ports; {@link #start} runs it. */
    public static LocalKafkaBroker formatIn(Path dir) {
        try {
            Files.createDirectories(dir);
            LocalKafkaBroker broker = new LocalKafkaBroker(dir, freePort(), freePort());
            broker.format();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the local broker in " + dir, e);
        }
    }

    /**
     * Formats fresh storage in {@code dir} for a broker whose clients' listener is SASL_SSL with SCRAM-SHA-512,
     * knowing {@code user} with {@code password}; {@link #start} runs it. Its certificate is made in
     * {@code dir/tls}; clients trust {@link #caCertificate()}.
     */
    public static LocalKafkaBroker formatWithSaslSslIn(Path dir, String user, String password) {
        try {
            Files.createDirectories(dir);
            LocalKafkaBroker broker = new LocalKafkaBroker(dir, freePort(), freePort(), freePort(),
                    TestCertificates.makeIn(dir.resolve("tls")));
            broker.scramUsers.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
            broker.format();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the local broker in " + dir, e);
        }
    }

    /** The clients' listener: SASL_SSL for a broker from {@link #formatWithSaslSslIn}, else PLAINTEXT. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
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
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker already runs");
        }
        try {
            process = new ProcessBuilder(java("kafka.Kafka", config.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local broker", e);
        }
        Awaitility.await("broker on port " + port).atMost(READY_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast("the broker exited, see " + log, () -> !process.isAlive())
                .until(this::accepts);
        return this;
    }

    /** Stops the broker the way a platform would (SIGTERM), killing it if it does not exit in time. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
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

    private void format() throws IOException {
        Path formatLog = dir.resolve("format.log");
        List<String> args = new ArrayList<>(List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()));
        scramUsers.forEach(user -> args.addAll(List.of("--add-scram", user)));
        Process formatting = new ProcessBuilder(java("kafka.tools.StorageTool", args.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(formatLog.toFile()).start();
        try {
            if (!formatting.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                formatting.destroyForcibly();
                throw new IllegalStateException("formatting the broker's storage failed, see " + formatLog);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            formatting.destroyForcibly();
            throw new IllegalStateException("interrupted while formatting the broker's storage", e);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms128m", "-Xmx512m",
                // A short-lived test broker: quick start-up matters more than peak throughput.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + rootDir().resolve("local-kafka/config/log4j2.properties"),
                "-cp", lib.resolve("*").toString(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private static Path rootDir() {
        String root = System.getProperty("kiwo.root.dir");
        Path path = root != null ? Path.of(root) : Path.of(System.getProperty("basedir", ".")).resolve("..");
        return path.toAbsolutePath().normalize();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
