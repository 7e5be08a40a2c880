package dev.kiwo.bench;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import dev.kiwo.launcher.LocalBroker;
import dev.kiwo.launcher.ManagedProcess;
import dev.kiwo.launcher.Readiness;
import dev.kiwo.model.TopicLayout;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Local mode for one experiment: a one-node KRaft broker on free ports with its data in the run directory, and
 * the services as JVMs from their runnable jars, all started by the launcher. Separate from {@code demo.sh
 * local}'s ports and directory, so a benchmark neither needs nor disturbs a running demo.
 */
final class LocalStack implements AutoCloseable {

    /** Spring Kafka's line when a listener container's consumer got partitions. */
    static final Pattern PARTITIONS_ASSIGNED = Pattern.compile("partitions assigned: \\[.+]");

    private final Layout layout;
    private final Path runDir;
    private final PrintStream out;
    private final List<ManagedProcess> started = new CopyOnWriteArrayList<>();
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
        // Local mode's broker and heap, with its settings, data and format log in the run directory.
        LocalBroker broker = LocalBroker.in(runDir.resolve("kafka"), layout.project()).build();
        ManagedProcess process = Processes.register(broker.launch(runDir.resolve("logs/kafka.log")));
        started.add(process);
        Readiness.await(process, Readiness.acceptsConnections(broker.port()), Readiness.TIMEOUT);
        bootstrap = broker.bootstrapServers();
        try (Admin admin = admin()) {
            admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
        }
        out.printf("    broker on %s (pid %d)%n", bootstrap, process.pid());
    }

    /** The five kiwo topics with the default layout, as every service would declare them, plus any others. */
    void createTopics(NewTopic... extra) throws Exception {
        List<NewTopic> topics = new ArrayList<>(TopicLayout.DEFAULTS.newTopics());
        topics.addAll(List.of(extra));
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
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

    /** The API, as the pool experiments start it. */
    Service startApi(List<String> jvm) {
        return startService("api", "api-service", List.of(), jvm, List.of());
    }

    /**
     * The classifier, as the pool experiments start it: its state in the run directory and an application id of its
     * own, so that no earlier run's offsets or state count.
     */
    Service startClassifier(List<String> jvm) {
        return startService("classifier", "classifier-service", List.of(), jvm,
                List.of("--spring.kafka.streams.state-dir=" + runDir.resolve("state/classifier"),
                        "--spring.kafka.streams.application-id=bench-classifier-" + System.currentTimeMillis()));
    }

    /**
     * A worker pool in a consumer group of its own that starts at the end (a new group per run never sees another
     * run's leftovers), with {@code concurrency} consumers; pinned to the taskset list {@code cpus} unless it is null,
     * its JVM then told as many processors.
     */
    Service startPool(String name, String module, String cpus, List<String> jvm, String group, int concurrency,
                      List<String> extraArgs) {
        List<String> jvmOptions = new ArrayList<>(jvm);
        if (cpus != null) {
            jvmOptions.add("-XX:ActiveProcessorCount=" + Cpus.count(cpus));
        }
        List<String> args = new ArrayList<>(List.of("--spring.kafka.consumer.group-id=" + group,
                "--spring.kafka.consumer.auto-offset-reset=latest", "--spring.kafka.listener.concurrency=" + concurrency));
        args.addAll(extraArgs);
        return startService(name, module, cpus != null ? List.of("taskset", "-c", cpus) : List.of(), jvmOptions, args);
    }

    /**
     * Starts a service's runnable jar on free ports against this broker, in the run directory, its output in
     * {@code logs/NAME.log}.
     *
     * @param prefix what goes before {@code java} (e.g. {@code taskset -c 0}); may be empty
     * @param jvm    JVM options
     * @param args   Spring Boot arguments on top of the ports and the broker
     */
    Service startService(String name, String module, List<String> prefix, List<String> jvm, List<String> args) {
        KiwoService service = KiwoService.of(App.ofModule(module), layout.execJar(module)).name(name)
                .bootstrapServers(bootstrap).prefix(prefix).jvmOptions(jvm).args(args)
                .log(runDir.resolve("logs/" + name + ".log")).workDir(runDir).start();
        ManagedProcess process = Processes.register(service.process());
        started.add(process);
        return new Service(service, process.watch(line -> PARTITIONS_ASSIGNED.matcher(line).find()));
    }

    /** A started service: its JVM, HTTP and actuator ports, and when its first consumer got partitions. */
    final class Service {
        final String name;
        final ManagedProcess process;
        final int port;
        final int managementPort;
        private final KiwoService service;
        private final ManagedProcess.Watch assigned;

        Service(KiwoService service, ManagedProcess.Watch assigned) {
            this.name = service.name();
            this.process = service.process();
            this.port = service.port();
            this.managementPort = service.managementPort();
            this.service = service;
            this.assigned = assigned;
        }

        void awaitReady() {
            service.awaitReady();
        }

        /** Waits for the first consumer's partitions; returns the time from launch to them. */
        Duration awaitAssigned() {
            return assigned.await(Readiness.TIMEOUT, "partition assignment");
        }

        void stop() {
            Processes.stopAll(List.of(process));
            started.remove(process);
        }
    }

    /** Stops the services, latest first, so they can commit and close while the broker is still there; then it. */
    @Override
    public void close() {
        Processes.stopAll(started);
        started.clear();
    }
}
