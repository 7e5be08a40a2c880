package dev.kiwo.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Local mode in a run directory: the broker and the four services as processes that outlive the command that
 * started them. What runs is in {@code pids/<name>.pid} (the pid and when it started, so that a pid the system has
 * reused is never stopped), the ports in {@code ports.env} (sourceable by a shell), the logs in {@code logs/}, the
 * broker's data in {@code kafka/} and the classifier's state in {@code state/}.
 */
public final class LocalMode {

    /** The services' JVM options unless told otherwise. */
    public static final String DEFAULT_JAVA_OPTIONS = "-Xms64m -Xmx384m -XX:+UseSerialGC";

    /** The broker's name among local mode's processes. */
    public static final String KAFKA = "kafka";

    /**
     * What local mode's processes start under: a session of their own (setsid), so that neither Ctrl-C in the
     * terminal that started them nor closing it ends them; where there is no setsid (macOS), nohup keeps them from
     * the terminal's hang-up at least.
     */
    private static final List<String> DETACHED = ManagedProcess.onPath("setsid") ? List.of("setsid") : List.of("nohup");

    private static final int KAFKA_PORT = 9092;
    private static final int KAFKA_CONTROLLER_PORT = 9093;

    /** How local mode runs its processes. */
    public record Settings(Project project, Path runDir, List<String> javaOptions, List<String> kafkaJvmOptions,
                           Function<App, List<String>> extraArgs, Duration readyTimeout, Duration stopGrace) {
    }

    private final Settings settings;
    private final PrintStream out;

    public LocalMode(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Starts the broker and the four services and waits until every one is ready; on fixed ports (local mode's
     * documented ones) or, with {@code freePorts}, on ports the system picks. If one fails, stops what it started.
     */
    public void startAll(boolean freePorts) {
        for (String name : names()) {
            running(name).ifPresent(p -> {
                throw new IllegalStateException("local mode already runs in " + settings.runDir() + " (" + name
                        + ", pid " + p.pid() + "); stop it first");
            });
            unverified(name).ifPresent(pid -> {
                throw new IllegalStateException(unverifiedMessage(name, pid));
            });
        }
        Map<String, Integer> ports = freePorts ? freePorts() : fixedPorts();
        if (!freePorts) {
            List<Integer> taken = ports.values().stream().distinct().filter(Ports::taken).toList();
            if (!taken.isEmpty()) {
                throw new IllegalStateException("port(s) " + taken + " already in use on localhost; stop what listens"
                        + " there (e.g. 'ss -ltnp') and retry");
            }
        }
        writePorts(ports);
        List<ManagedProcess> started = new ArrayList<>();
        try {
            for (String name : names()) {
                deleteLog(name);
            }
            started.add(startBroker(ports));
            List<ManagedProcess> services = new ArrayList<>();
            for (App app : App.values()) {
                ManagedProcess service = launch(app, ports);
                started.add(service);
                services.add(service);
                out.printf("    started %s (pid %d, port %d)%n", app.id(), service.pid(), ports.get(portKey(app)));
            }
            for (App app : App.values()) {
                awaitReady(app, services.get(app.ordinal()), ports);
            }
        } catch (RuntimeException e) {
            out.println("    start-up failed; stopping what was started");
            ManagedProcess.stopAll(started);
            started.forEach(p -> deletePidFile(p.name()));
            throw e;
        }
    }

    /** Starts one process of a local mode that has run here before, on its ports, and waits until it is ready. */
    public void start(String name) {
        checkName(name);
        running(name).ifPresent(p -> {
            throw new IllegalStateException(name + " already runs (pid " + p.pid() + ")");
        });
        Map<String, Integer> ports = readPorts();
        if (name.equals(KAFKA)) {
            startBroker(ports);
        } else {
            App app = App.ofId(name);
            ManagedProcess service = launch(app, ports);
            try {
                awaitReady(app, service, ports);
            } catch (RuntimeException e) {
                service.stop(settings.stopGrace());
                deletePidFile(name);
                throw e;
            }
        }
    }

    /** Stops the named processes (all, services first, when none is named) by the one stop rule. */
    public void stop(List<String> names) {
        names.forEach(LocalMode::checkName);
        List<String> order = new ArrayList<>(names.isEmpty() ? names() : names);
        if (names.isEmpty()) {
            Collections.reverse(order);
        }
        for (String name : order) {
            Optional<ManagedProcess> process = running(name);
            if (process.isPresent()) {
                ManagedProcess.Stopped stopped = process.get().stop(settings.stopGrace());
                out.printf("    stopped %s (pid %d, %.1f s)%s%n", name, process.get().pid(),
                        stopped.took().toMillis() / 1000.0,
                        stopped.killed() ? ": did not stop within " + settings.stopGrace().toSeconds() + " s, killed" : "");
            }
            Optional<Long> unverified = unverified(name);
            if (unverified.isPresent()) {
                out.println("    " + unverifiedMessage(name, unverified.get()));
            } else {
                deletePidFile(name);
            }
        }
    }

    /** SIGKILL, as a crash: for chaos tests. */
    public void kill(String name) {
        checkName(name);
        ManagedProcess process = running(name)
                .orElseThrow(() -> new IllegalStateException(name + " does not run in " + settings.runDir()));
        process.kill();
        deletePidFile(name);
        out.printf("    killed %s (pid %d)%n", name, process.pid());
    }

    /** One line per process: name, pid, port and state (stopped, running, or for a service starting or ready). */
    public void status() {
        Map<String, Integer> ports = Files.exists(portsFile()) ? readPorts() : fixedPorts();
        out.printf("%-14s %-8s %-6s %s%n", "NAME", "PID", "PORT", "STATE");
        for (String name : names()) {
            Optional<ManagedProcess> process = running(name);
            int port = name.equals(KAFKA) ? ports.get("KAFKA_PORT") : ports.get(portKey(App.ofId(name)));
            String state = process.isEmpty() ? "stopped"
                    : name.equals(KAFKA) ? "running"
                    : Readiness.actuator(ports.get(managementPortKey(App.ofId(name)))).ready() ? "ready" : "starting";
            out.printf("%-14s %-8s %-6d %s%n", name, process.map(p -> String.valueOf(p.pid())).orElse("-"), port, state);
        }
    }

    /** The process {@code name} as recorded in its pid file, if it still runs. */
    public Optional<ManagedProcess> running(String name) {
        List<String> lines = pidFileLines(name);
        try {
            return lines.size() < 2 ? Optional.empty() : ManagedProcess.adopt(name, Long.parseLong(lines.get(0)),
                    Instant.ofEpochMilli(Long.parseLong(lines.get(1))), log(name));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The pid in {@code name}'s pid file when a process runs under it that {@link #running} cannot confirm is the
     * one recorded: another start time (a reused pid, or the clock was set) or a pid file without one. Such a
     * process is neither stopped nor forgotten.
     */
    private Optional<Long> unverified(String name) {
        List<String> lines = pidFileLines(name);
        if (lines.isEmpty() || running(name).isPresent()) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0));
            return ManagedProcess.runs(pid) ? Optional.of(pid) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String unverifiedMessage(String name, long pid) {
        return name + ": pid " + pid + " of " + pidFile(name) + " runs, but not as the process recorded there (its "
                + "start time differs: a reused pid or a changed clock); left alone. If it is kiwo's (ps -p " + pid
                + " -o args), stop it with kill " + pid + ", then delete the pid file";
    }

    private List<String> pidFileLines(String name) {
        try {
            return Files.exists(pidFile(name))
                    ? Files.readAllLines(pidFile(name)).stream().map(String::trim).filter(l -> !l.isEmpty()).toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile(name), e);
        }
    }

    private ManagedProcess startBroker(Map<String, Integer> ports) {
        LocalBroker broker = LocalBroker.in(settings.runDir().resolve(KAFKA), settings.project()).prefix(DETACHED)
                .ports(ports.get("KAFKA_PORT"), ports.get("KAFKA_CONTROLLER_PORT"))
                .jvmOptions(settings.kafkaJvmOptions()).build();
        if (!broker.formatted()) {
            out.println("    formatting the broker's storage in " + broker.dir().resolve("data"));
        }
        // Recorded before the wait: should this command die while waiting, stop still finds the broker.
        ManagedProcess process = recorded(broker.launch(log(KAFKA)));
        try {
            Readiness.await(process, Readiness.acceptsConnections(broker.port()), settings.readyTimeout());
        } catch (RuntimeException e) {
            process.stop(settings.stopGrace());
            deletePidFile(KAFKA);
            throw e;
        }
        out.printf("    kafka ready on %s (pid %d)%n", broker.bootstrapServers(), process.pid());
        return process;
    }

    private ManagedProcess launch(App app, Map<String, Integer> ports) {
        Path jar = settings.project().execJar(app.module());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with 'mvn -DskipTests package'");
        }
        List<String> args = new ArrayList<>(switch (app) {
            // No authentication (every client is tenant "default"; the API warns at start-up) and jobs may fail on
            // purpose: local mode is a demo.
            case API -> List.of("--kiwo.api.auth.mode=none", "--kiwo.api.allow-simulation=true");
            case CLASSIFIER -> List.of("--spring.kafka.streams.state-dir="
                    + settings.runDir().toAbsolutePath().resolve("state/classifier"));
            default -> List.<String>of();
        });
        args.addAll(settings.extraArgs().apply(app));
        KiwoService service = KiwoService.of(app, jar).prefix(DETACHED)
                .ports(ports.get(portKey(app)), ports.get(managementPortKey(app)))
                .bootstrapServers("localhost:" + ports.get("KAFKA_PORT"))
                .jvmOptions(settings.javaOptions()).args(args).log(log(app.id())).start();
        return recorded(service.process());
    }

    private void awaitReady(App app, ManagedProcess process, Map<String, Integer> ports) {
        Readiness.await(process, Readiness.actuator(ports.get(managementPortKey(app))), settings.readyTimeout());
        out.printf("    %s ready%n", app.id());
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>(List.of(KAFKA));
        Arrays.stream(App.values()).map(App::id).forEach(names::add);
        return names;
    }

    private static void checkName(String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException("no process named " + name + "; local mode runs " + names());
        }
    }

    private static String portKey(App app) {
        return app.name() + "_PORT";
    }

    private static String managementPortKey(App app) {
        return app.name() + "_MANAGEMENT_PORT";
    }

    private static Map<String, Integer> fixedPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("KAFKA_PORT", KAFKA_PORT);
        ports.put("KAFKA_CONTROLLER_PORT", KAFKA_CONTROLLER_PORT);
        for (App app : App.values()) {
            ports.put(portKey(app), app.localPort());
            ports.put(managementPortKey(app), app.localManagementPort());
        }
        return ports;
    }

    private static Map<String, Integer> freePorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("KAFKA_PORT", Ports.free());
        ports.put("KAFKA_CONTROLLER_PORT", Ports.free());
        for (App app : App.values()) {
            int port = Ports.free();
            ports.put(portKey(app), port);
            ports.put(managementPortKey(app), app.ownManagementPort() ? Ports.free() : port);
        }
        return ports;
    }

    private Path portsFile() {
        return settings.runDir().resolve("ports.env");
    }

    private void writePorts(Map<String, Integer> ports) {
        StringBuilder text = new StringBuilder("# Local mode's ports, as the last start picked them.\n");
        ports.forEach((key, port) -> text.append(key).append('=').append(port).append('\n'));
        write(portsFile(), text.toString());
    }

    private Map<String, Integer> readPorts() {
        if (!Files.exists(portsFile())) {
            throw new IllegalStateException("local mode has not run in " + settings.runDir() + ": start it first");
        }
        Properties properties = new Properties();
        try (BufferedReader in = Files.newBufferedReader(portsFile())) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + portsFile(), e);
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        fixedPorts().keySet().forEach(key -> ports.put(key, Integer.parseInt(properties.getProperty(key))));
        return ports;
    }

    private Path pidFile(String name) {
        return settings.runDir().resolve("pids").resolve(name + ".pid");
    }

    private Path log(String name) {
        return settings.runDir().resolve("logs").resolve(name + ".log");
    }

    /** Writes {@code process}'s pid file; stops the process if that fails, so nothing runs unrecorded. */
    private ManagedProcess recorded(ManagedProcess process) {
        try {
            write(pidFile(process.name()), process.pid() + "\n" + process.startInstant().toEpochMilli() + "\n");
            return process;
        } catch (RuntimeException e) {
            process.stop(settings.stopGrace());
            throw e;
        }
    }

    private void deletePidFile(String name) {
        try {
            Files.deleteIfExists(pidFile(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteLog(String name) {
        try {
            Files.deleteIfExists(log(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
