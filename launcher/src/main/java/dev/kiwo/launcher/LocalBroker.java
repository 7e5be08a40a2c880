package dev.kiwo.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The broker of local mode: Apache Kafka in KRaft mode, one node that is broker and controller, from local-kafka's
 * classpath and configuration, with its data in a directory of the caller's. Its settings are local-kafka's
 * server.properties followed by this instance's listeners, data directory and any extra lines (later keys win).
 */
public final class LocalBroker {

    /** The heap local mode gives the broker. */
    public static final String DEFAULT_HEAP = "-Xms256m -Xmx768m";

    private static final List<String> DEFAULT_JVM_OPTIONS = List.of(DEFAULT_HEAP.split(" "));

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);

    private final Project project;
    private final Path dir;
    private final Path config;
    private final String host;
    private final int port;
    private final List<String> jvmOptions;
    private final List<String> formatArguments;
    private final List<String> prefix;

    private LocalBroker(Builder builder) {
        this.project = builder.project;
        this.dir = builder.dir.toAbsolutePath();
        this.config = dir.resolve("server.properties");
        this.host = builder.host;
        this.port = builder.port;
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.formatArguments = List.copyOf(builder.formatArguments);
        this.prefix = List.copyOf(builder.prefix);
    }

    /** A broker with its settings and data in {@code dir}. */
    public static Builder in(Path dir, Project project) {
        return new Builder(dir, project);
    }

    /** How a broker is set up; by default on free loopback ports with local mode's heap. */
    public static final class Builder {
        private final Path dir;
        private final Project project;
        private String host = "localhost";
        private int port = -1;
        private int controllerPort = -1;
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private String extraProperties = "";
        private final List<String> formatArguments = new ArrayList<>();
        private List<String> prefix = List.of();

        private Builder(Path dir, Project project) {
            this.dir = dir;
            this.project = project;
        }

        /** The clients' and the controller's ports. */
        public Builder ports(int clients, int controller) {
            this.port = clients;
            this.controllerPort = controller;
            return this;
        }

        /** The host name in the listeners: {@code localhost} unless set. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** What goes before the broker's {@code java}, such as {@code setsid}. */
        public Builder prefix(List<String> prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = options;
            return this;
        }

        /** server.properties lines after the listeners, overriding any key before them. */
        public Builder properties(String lines) {
            this.extraProperties = lines;
            return this;
        }

        /** Arguments for kafka-storage's format, such as {@code --add-scram}. */
        public Builder formatArguments(List<String> arguments) {
            this.formatArguments.addAll(arguments);
            return this;
        }

        /** Writes the broker's server.properties into the directory. */
        public LocalBroker build() {
            if (port < 0) {
                ports(Ports.free(), Ports.free());
            }
            try {
                Files.createDirectories(dir);
                String address = host + ":";
                Files.writeString(dir.resolve("server.properties"),
                        Files.readString(project.brokerConfig().resolve("server.properties")) + "\n"
                                + "listeners=PLAINTEXT://" + address + port + ",CONTROLLER://" + address + controllerPort
                                + "\nadvertised.listeners=PLAINTEXT://" + address + port
                                + "\ncontroller.quorum.bootstrap.servers=" + address + controllerPort
                                + "\nlog.dirs=" + dir.toAbsolutePath().resolve("data") + "\n" + extraProperties);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the broker's settings in " + dir, e);
            }
            return new LocalBroker(this);
        }
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** Whether the data directory has been formatted (a restart keeps it). */
    public boolean formatted() {
        return Files.exists(dir.resolve("data").resolve("meta.properties"));
    }

    /** Formats fresh storage, as kafka-storage.sh does; fails with the tool's output if it fails. */
    public void format(Path log) {
        List<String> args = new ArrayList<>(List.of("format", "--standalone", "-t", randomClusterId(),
                "-c", config.toString()));
        args.addAll(formatArguments);
        ManagedProcess format = ManagedProcess.start("kafka-format", java("kafka.tools.StorageTool", args), log);
        int exitCode;
        try {
            exitCode = format.awaitExit(FORMAT_TIMEOUT);
        } finally {
            format.stop();
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting the broker's storage in " + dir + " failed:\n" + format.tail(15));
        }
    }

    /** Starts the broker (formatting first if needed) and returns once it accepts connections. */
    public ManagedProcess start(Path log, Duration timeout) {
        ManagedProcess broker = launch(log);
        try {
            Readiness.await(broker, Readiness.acceptsConnections(port), timeout);
        } catch (RuntimeException e) {
            broker.stop();
            throw e;
        }
        return broker;
    }

    /**
     * As {@link #start} without waiting: for a caller that must hold the process before it is ready, to stop it
     * should the wait fail or be cut short.
     */
    public ManagedProcess launch(Path log) {
        if (!formatted()) {
            format(log.resolveSibling("kafka-format.log"));
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(java("kafka.Kafka", List.of(config.toString())));
        return ManagedProcess.start("kafka", command, log);
    }

    private List<String> java(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dlog4j2.configurationFile=" + project.brokerConfig().resolve("log4j2.properties"));
        command.addAll(List.of("-cp", project.brokerLib().resolve("*").toString(), mainClass));
        command.addAll(args);
        return command;
    }

    /** A cluster id as Kafka makes them: 16 random bytes in URL-safe base64, not starting with a dash. */
    private static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(16)
                    .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }
}
