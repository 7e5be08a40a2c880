package dev.kiwo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** One service's runnable jar started as its own JVM, the way local mode and a container run it. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final List<String> command;
    private final Path log;
    private volatile Process process;

    private ServiceProcess(String name, int port, int managementPort, List<String> command, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.command = command;
        this.log = log;
    }

    /** Starts {@code <apps dir>/<module>.jar} on a free port with the given Spring arguments. */
    static ServiceProcess start(String module, String bootstrapServers, String... springArgs) {
        return startAs(module, module, bootstrapServers, springArgs);
    }

    /**
     * Starts the classifier with its Streams state in {@code stateDir}. Its classic-protocol session is as short as
     * the broker's for the pools (see LocalKafkaBroker), so a stopped or killed instance's tasks move just as soon.
     */
    static ServiceProcess startClassifier(String logName, String bootstrapServers, Path stateDir, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--spring.kafka.streams.state-dir=" + stateDir,
                "--spring.kafka.streams.properties.session.timeout.ms=10000",
                "--spring.kafka.streams.properties.heartbeat.interval.ms=3000"));
        args.addAll(List.of(extraArgs));
        return startAs(logName, "classifier-service", bootstrapServers, args.toArray(String[]::new));
    }

    /**
     * Starts {@code <apps dir>/<module>.jar} on a free port, logging to {@code <logs dir>/<logName>.log}
     * (appended to across restarts).
     */
    static ServiceProcess startAs(String logName, String module, String bootstrapServers, String... springArgs) {
        int port = freePort();
        // The API serves its actuator on a port of its own; the other services on their one port.
        int managementPort = module.equals("api-service") ? freePort() : port;
        Path jar = Path.of(System.getProperty("kiwo.apps.dir", "target/apps"), module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven ('mvn verify'), "
                    + "which builds and copies the services' jars first");
        }
        Path log = Path.of(System.getProperty("kiwo.logs.dir", "target/e2e-logs"), logName + ".log");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--server.port=" + port,
                "--management.server.port=" + managementPort, "--spring.kafka.bootstrap-servers=" + bootstrapServers));
        if (module.equals("api-service")) {
            // Like local mode: the tests make jobs fail on purpose (simulate), which the jar refuses by default.
            command.add("--kiwo.api.allow-simulation=true");
        }
        command.addAll(List.of(springArgs));
        try {
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the log of " + module, e);
        }
        ServiceProcess service = new ServiceProcess(logName, port, managementPort, List.copyOf(command), log);
        service.launch();
        return service;
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Kills the JVM the hard way (SIGKILL): no shutdown hooks, no commits, no goodbyes. */
    void kill() throws InterruptedException {
        long pid = process.pid();
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid + ") survived SIGKILL for 30 s");
        }
    }

    /** Starts the same JVM again, same port and arguments, after {@link #kill} or {@link #close}. */
    ServiceProcess restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " still runs");
        }
        launch();
        return this;
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** An actuator endpoint: on the management port, which only the API has apart from its HTTP port. */
    URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    /** Waits until the readiness group answers UP, failing early with the log's tail if the JVM exits. */
    ServiceProcess awaitReady(Duration timeout) {
        Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> e instanceof IOException)
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
                    }
                    return isReady();
                });
        return this;
    }

    boolean isReady() throws IOException, InterruptedException {
        HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(managementUri("/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Sends SIGTERM, as Kubernetes does at the start of a pod's grace period, and returns how long the JVM took to
     * exit. Kills it and fails if it is still running after {@code limit}, as Kubernetes would at the end.
     */
    Duration terminate(Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            String tail = tail();
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + " still ran " + limit.toSeconds() + " s after SIGTERM; last lines:\n" + tail);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Asks the JVM to shut down gracefully (SIGTERM) and kills it if it has not exited in time. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(45, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
