package dev.kiwo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * The broker local mode runs (local-kafka's classpath and config, KRaft, one node), as its own process on
 * free loopback ports with its data in a directory of the caller's choosing. Unlike the in-JVM test broker
 * it can be stopped and started again, which is what a crash test needs.
 */
final class LocalBroker implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private Process process;

    private LocalBroker(Path dir, int port, int controllerPort) throws IOException {
        this.dir = dir;
        this.port = port;
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("kafka.log");
        // Later keys win in a properties file: local mode's settings, then this instance's ports and data.
        String base = Files.readString(rootDir().resolve("local-kafka/config/server.properties"));
        Files.writeString(config, base + "\n"
                + "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort + "\n"
                + "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + "\n"
                + "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort + "\n"
                + "log.dirs=" + dir.resolve("data") + "\n"
                // A killed consumer's partitions move once its session expires: 10 s instead of 45 s keeps
                // crash tests short without changing what they prove.
                + "group.consumer.min.session.timeout.ms=5000\n"
                + "group.consumer.session.timeout.ms=10000\n"
                + "group.consumer.min.heartbeat.interval.ms=1000\n"
                + "group.consumer.heartbeat.interval.ms=2000\n");
    }

    /** Formats storage in {@code dir} and starts the broker; call {@link #awaitReady} before use. */
    static LocalBroker start(Path dir) {
        try {
            Files.createDirectories(dir);
            LocalBroker broker = new LocalBroker(dir, freePort(), freePort());
            broker.format();
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local broker in " + dir, e);
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    LocalBroker awaitReady(Duration timeout) {
        Awaitility.await("broker on port " + port).atMost(timeout).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the broker exited with " + process.exitValue()
                                + ", see " + log);
                    }
                    return accepts();
                });
        return this;
    }

    /** Stops the broker the way an operator would (SIGTERM), killing it if it does not exit in time. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts the broker again on the same ports and data. */
    void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("the broker still runs");
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }

    private void format() throws IOException {
        Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "--standalone",
                "-t", Uuid.randomUuid().toString(), "-c", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        try {
            if (!format.waitFor(90, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting the broker's storage failed, see "
                        + dir.resolve("format.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(java("kafka.Kafka", config.toString()))
                .redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile())).start();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> java(String mainClass, String... args) {
        Path lib = rootDir().resolve("local-kafka/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build local-kafka first ('mvn verify' does)");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xms128m", "-Xmx512m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + rootDir().resolve("local-kafka/config/log4j2.properties"),
                "-cp", lib + "/*", mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private static Path rootDir() {
        return Path.of(System.getProperty("kiwo.root.dir", "..")).toAbsolutePath().normalize();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
