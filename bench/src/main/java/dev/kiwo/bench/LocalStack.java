package dev.kiwo.bench;

import dev.kiwo.model.TopicLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Local mode for one experiment: a one-node KRaft broker on free ports with its data in the run directory, and
 * the services as JVMs from their runnable jars. Separate from {@code demo.sh local}'s ports and directory, so
 * a benchmark neither needs nor disturbs a running demo.
 */
final class LocalStack implements AutoCloseable {

    /** Spring Kafka's line when a listener container's consumer got partitions. */
    static final Pattern PARTITIONS_ASSIGNED = Pattern.compile("partitions assigned: \\[.+]");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Layout layout;
    private final Path runDir;
    private final PrintStream out;
    private final List<Proc> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String bootstrap;

    LocalStack(Layout layout, Path runDir, PrintStream out) {
        this.layout = layout;
        this.runDir = runDir;
        this.out = out;
    }

    String bootstrapServers() {
        return bootstrap;
    }

    Path runDir() {
        return runDir;
    }

    Layout layout() {
        return layout;
    }

    /** Formats fresh storage and starts the broker; returns once it accepts connections and answers the admin API. */
    void startBroker() throws Exception {
        Path dir = runDir.resolve("kafka");
        Files.createDirectories(dir);
        int port = freePort();
        int controller = freePort();
        String config = Files.readString(layout.brokerConfig().resolve("server.properties"))
                .replace("localhost:9093", "localhost:" + controller)
                .replace("localhost:9092", "localhost:" + port)
                + "\nlog.dirs=" + dir.resolve("data") + "\n";
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, config);
        String classpath = layout.brokerLib() + "/*";
        String log4j = "-Dlog4j2.configurationFile=" + layout.brokerConfig().resolve("log4j2.properties");
        String java = Layout.currentJava().toString();
        try (Proc format = Proc.start("kafka-format", List.of(java, log4j, "-cp", classpath, "kafka.tools.StorageTool",
                "format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", properties.toString()), runDir.resolve("logs/kafka-format.log"), null)) {
            if (format.waitFor(Duration.ofSeconds(60)) != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + format.log());
            }
        }
        Proc broker = Proc.start("kafka", List.of(java, "-Xms256m", "-Xmx768m", log4j, "-cp", classpath, "kafka.Kafka",
                properties.toString()), runDir.resolve("logs/kafka.log"), null);
        started.add(broker);
        bootstrap = "localhost:" + port;
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!broker.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not start; see " + broker.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        try (Admin admin = admin()) {
            admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        }
        out.printf("    broker on %s (pid %d)%n", bootstrap, broker.pid());
    }

    /** The five kiwo topics with the default layout, as every service would declare them, plus any others. */
    void createTopics(NewTopic... extra) throws Exception {
        List<NewTopic> topics = new ArrayList<>(TopicLayout.DEFAULTS.newTopics());
        topics.addAll(List.of(extra));
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /**
     * Starts a service's runnable jar on a free port against this broker.
     *
     * @param prefix what goes before {@code java} (e.g. {@code taskset -c 0}); may be empty
     * @param jvm    JVM options
     * @param args   Spring Boot arguments on top of the port and the broker
     */
    Service startService(String name, String module, List<String> prefix, List<String> jvm, List<String> args)
            throws IOException {
        int port = freePort();
        // The API serves its actuator on a port of its own; the other services on their one port.
        int managementPort = module.equals("api-service") ? freePort() : port;
        List<String> command = new ArrayList<>(prefix);
        command.add(Layout.currentJava().toString());
        command.addAll(jvm);
        command.add("-jar");
        command.add(layout.execJar(module).toString());
        command.add("--server.port=" + port);
        command.add("--management.server.port=" + managementPort);
        command.add("--spring.kafka.bootstrap-servers=" + bootstrap);
        command.addAll(args);
        Proc proc = Proc.start(name, command, runDir.resolve("logs/" + name + ".log"), runDir);
        long[] assigned = proc.watch(line -> PARTITIONS_ASSIGNED.matcher(line).find());
        started.add(proc);
        return new Service(name, proc, port, managementPort, assigned);
    }

    /** A started service: its process, HTTP and actuator ports and when its first consumer got partitions. */
    final class Service {
        final String name;
        final Proc proc;
        final int port;
        final int managementPort;
        final long[] assigned;

        Service(String name, Proc proc, int port, int managementPort, long[] assigned) {
            this.name = name;
            this.proc = proc;
            this.port = port;
            this.managementPort = managementPort;
            this.assigned = assigned;
        }

        void awaitReady() {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!ready(managementPort)) {
                if (!proc.alive()) {
                    throw new IllegalStateException(name + " exited during start-up; see " + proc.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " not ready after " + READY_TIMEOUT.toSeconds() + "s; see "
                            + proc.log());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            }
        }

        long awaitAssigned() {
            return proc.await(assigned, READY_TIMEOUT, "partition assignment");
        }

        void stop() {
            proc.stop(Duration.ofSeconds(45));
            started.remove(proc);
        }
    }

    @Override
    public void close() {
        // Services first, so they can commit and close while the broker is still there.
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop(Duration.ofSeconds(45));
        }
        started.clear();
    }

    private boolean ready(int port) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
