package dev.kiwo.api.jobs;

import static org.awaitility.Awaitility.await;

import java.io.File;
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

/**
 * The local-mode broker (local-kafka's classpath) as a separate JVM on loopback ports of its own, so a test can
 * stop it and start it again on the same ports and data directory, which an in-JVM broker cannot do.
 */
final class LocalKafkaProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path workDir;
    private final Path libDir;
    private final Path log4jConfig;
    private final int brokerPort;
    private final Path properties;
    private Process process;

    LocalKafkaProcess(Path workDir) {
        Path localKafka = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolveSibling("local-kafka");
        this.workDir = workDir;
        this.libDir = localKafka.resolve("target").resolve("lib");
        this.log4jConfig = localKafka.resolve("config").resolve("log4j2.properties");
        if (!Files.isDirectory(libDir)) {
            throw new IllegalStateException("The broker classpath " + libDir + " is missing: run "
                    + "'mvn -pl local-kafka package' first (a full 'mvn verify' builds it before this module)");
        }
        this.brokerPort = freePort();
        this.properties = writeProperties(brokerPort, freePort());
        format();
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Starts the broker and returns once it accepts connections. */
    void start() {
        process = launch(List.of("kafka.Kafka", properties.toString()), "broker.log", true);
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast("the broker exited, see " + workDir.resolve("broker.log"), () -> !process.isAlive())
                .until(this::accepting);
    }

    /** SIGTERM, as a platform would send, then waits for the process to end. */
    void stop() {
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

    private boolean accepting() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private void format() {
        Process formatting = launch(List.of("kafka.tools.StorageTool", "format", "--standalone",
                "-t", Uuid.randomUuid().toString(), "-c", properties.toString()), "format.log", false);
        try {
            if (!formatting.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                formatting.destroyForcibly();
                throw new IllegalStateException("formatting the broker storage failed, see "
                        + workDir.resolve("format.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting the broker storage", e);
        }
    }

    private Process launch(List<String> mainAndArgs, String logName, boolean append) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xms128m", "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4jConfig, "-cp", libDir.resolve("*").toString()));
        command.addAll(mainAndArgs);
        File log = workDir.resolve(logName).toFile();
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log) : ProcessBuilder.Redirect.to(log))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeProperties(int broker, int controller) {
        String text = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + broker,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "auto.create.topics.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "log.dirs=" + workDir.resolve("data"),
                "");
        try {
            return Files.writeString(workDir.resolve("server.properties"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
