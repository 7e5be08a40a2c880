package dev.kiwo.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Local mode's processes from the command line: what {@code scripts/demo.sh} and the check scripts call. */
@Command(name = "launcher", mixinStandardHelpOptions = true, subcommandsRepeatable = false,
        description = "Starts, stops and lists local mode's processes: the Kafka broker (kafka) and the services "
                + "api, classifier, worker-light and worker-heavy.",
        subcommands = {LocalModeCommand.Start.class, LocalModeCommand.Stop.class, LocalModeCommand.Kill.class,
                LocalModeCommand.Status.class})
public final class LocalModeCommand {

    /** The options every subcommand takes. */
    static final class Common {
        @Option(names = "--root", required = true, description = "The kiwo checkout, built.")
        Path root;

        @Option(names = "--run-dir", required = true, description = "Where local mode keeps pids, ports, logs and data.")
        Path runDir;

        @Option(names = "--java-opts", defaultValue = "${env:JAVA_OPTS:-" + LocalMode.DEFAULT_JAVA_OPTIONS + "}",
                description = "JVM options of the services (default: env JAVA_OPTS, else " + LocalMode.DEFAULT_JAVA_OPTIONS
                        + ").")
        String javaOptions;

        @Option(names = "--kafka-heap", defaultValue = "${env:KAFKA_HEAP:-" + LocalBroker.DEFAULT_HEAP + "}",
                description = "JVM options of the broker (default: env KAFKA_HEAP, else " + LocalBroker.DEFAULT_HEAP + ").")
        String kafkaJvmOptions;

        @Option(names = "--ready-timeout", defaultValue = "${env:READY_TIMEOUT:-" + Readiness.TIMEOUT_SECONDS + "}",
                description = "Seconds a process may take to become ready (default: env READY_TIMEOUT, else "
                        + Readiness.TIMEOUT_SECONDS + ").")
        long readySeconds;

        @Option(names = "--stop-grace", defaultValue = "${env:STOP_TIMEOUT:-" + ManagedProcess.STOP_GRACE_SECONDS + "}",
                description = "Seconds between SIGTERM and SIGKILL (default: env STOP_TIMEOUT, else "
                        + ManagedProcess.STOP_GRACE_SECONDS + ").")
        long stopSeconds;

        LocalMode localMode() {
            return new LocalMode(new LocalMode.Settings(Project.at(root), runDir.toAbsolutePath(), split(javaOptions),
                    split(kafkaJvmOptions), LocalModeCommand::extraArgs, Duration.ofSeconds(readySeconds),
                    Duration.ofSeconds(stopSeconds)), System.out);
        }
    }

    /** Extra Spring arguments of a service: env KIWO_ARGS_<ID>, e.g. KIWO_ARGS_WORKER_LIGHT. */
    static List<String> extraArgs(App app) {
        return split(System.getenv().getOrDefault("KIWO_ARGS_" + app.id().toUpperCase(Locale.ROOT).replace('-', '_'), ""));
    }

    private static List<String> split(String words) {
        return Arrays.stream(words.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "With no name: the broker, then the four services, waiting until each is ready (any that "
                    + "fails stops the others). With names: those of a local mode that ran here, on its ports.")
    static final class Start implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @Option(names = "--free-ports", description = "Ports the system picks instead of 8080-8083, 8180, 9092-9093 "
                + "(written to RUN_DIR/ports.env).")
        boolean freePorts;

        @Parameters(arity = "0..*", paramLabel = "NAME", description = "kafka, api, classifier, worker-light, worker-heavy")
        List<String> names = List.of();

        @Override
        public Integer call() {
            LocalMode mode = common.localMode();
            if (names.isEmpty()) {
                mode.startAll(freePorts);
            } else {
                names.forEach(mode::start);
            }
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "SIGTERM, then SIGKILL after the grace period: the named processes, or all (services first).")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @Parameters(arity = "0..*", paramLabel = "NAME")
        List<String> names = List.of();

        @Override
        public Integer call() {
            common.localMode().stop(names);
            return 0;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "SIGKILL a process, as a crash would.")
    static final class Kill implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            common.localMode().kill(name);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "What runs: name, pid, port and state.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        Common common;

        @Override
        public Integer call() {
            common.localMode().status();
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with its error handling: a failure is its message on stderr and exit code 1. */
    static CommandLine commandLine() {
        CommandLine command = new CommandLine(new LocalModeCommand());
        command.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        return command;
    }
}
