package dev.kiwo.launcher;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One kiwo service's runnable jar as its own JVM, the way local mode and a container run it: on its port (and the
 * API's management port), against a broker, with Spring arguments on top. Ready by {@link Readiness}'s rule,
 * stopped by {@link ManagedProcess}'s.
 */
public final class KiwoService implements AutoCloseable {

    private final String name;
    private final int port;
    private final int managementPort;
    private final List<String> command;
    private final Path log;
    private final Path workDir;
    private volatile ManagedProcess process;

    private KiwoService(Builder builder, List<String> command) {
        this.name = builder.name;
        this.port = builder.port;
        this.managementPort = builder.managementPort;
        this.command = List.copyOf(command);
        this.log = builder.log;
        this.workDir = builder.workDir;
    }

    /** A service of {@code app} from {@code jar}; by default named by its id, on free ports, logging to name.log. */
    public static Builder of(App app, Path jar) {
        return new Builder(app, jar);
    }

    /** How a service is started. */
    public static final class Builder {
        private final App app;
        private final Path jar;
        private String name;
        private int port = -1;
        private int managementPort = -1;
        private String bootstrapServers;
        private List<String> prefix = List.of();
        private List<String> jvmOptions = List.of();
        private final List<String> args = new ArrayList<>();
        private Path log;
        private Path workDir;

        private Builder(App app, Path jar) {
            this.app = app;
            this.jar = jar;
            this.name = app.id();
        }

        /** The name in messages and, unless {@link #log} says otherwise, of the log file. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The HTTP port and the actuator's (the same for every service but the API). */
        public Builder ports(int port, int managementPort) {
            this.port = port;
            this.managementPort = managementPort;
            return this;
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** What goes before {@code java}, such as {@code taskset -c 0}. */
        public Builder prefix(List<String> prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = options;
            return this;
        }

        /** Spring Boot arguments after the ports and the broker, so they may override both. */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** Starts the JVM; {@link KiwoService#awaitReady} waits for it to be ready. */
        public KiwoService start() {
            if (bootstrapServers == null) {
                throw new IllegalStateException(name + ": no bootstrap servers");
            }
            if (port < 0) {
                port = Ports.free();
                managementPort = app.ownManagementPort() ? Ports.free() : port;
            }
            if (log == null) {
                log = (workDir != null ? workDir : Path.of("")).resolve(name + ".log");
            }
            List<String> command = new ArrayList<>(prefix);
            // The JDK running this code runs the services too.
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port,
                    "--management.server.port=" + managementPort, "--spring.kafka.bootstrap-servers=" + bootstrapServers));
            command.addAll(args);
            KiwoService service = new KiwoService(this, command);
            service.launch();
            return service;
        }
    }

    private void launch() {
        process = ManagedProcess.start(name, command, log, workDir, Map.of());
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** An actuator endpoint, on the management port. */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    /** The current JVM: a new one after {@link #restart}. */
    public ManagedProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean ready() {
        return Readiness.actuator(managementPort).ready();
    }

    public KiwoService awaitReady(Duration timeout) {
        Readiness.await(process, Readiness.actuator(managementPort), timeout);
        return this;
    }

    public KiwoService awaitReady() {
        return awaitReady(Readiness.TIMEOUT);
    }

    /** Starts the same JVM again, same ports and arguments, its output appended to the same log. */
    public KiwoService restart() {
        if (process.alive()) {
            throw new IllegalStateException(name + " still runs (pid " + process.pid() + ")");
        }
        launch();
        return this;
    }

    public void kill() {
        process.kill();
    }

    public ManagedProcess.Stopped stop(Duration grace) {
        return process.stop(grace);
    }

    @Override
    public void close() {
        process.stop();
    }
}
