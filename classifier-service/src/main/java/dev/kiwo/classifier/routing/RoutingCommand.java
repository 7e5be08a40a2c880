package dev.kiwo.classifier.routing;

import ch.qos.logback.classic.Level;
import dev.kiwo.kafka.KafkaConnection;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.BindException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Shows or changes the live routing configuration on {@code jobs.routing}. A change reads the current record,
 * checks every {@code KEY=VALUE} and writes the whole configuration as the next version; an unknown key or a bad
 * value is refused before anything is written. Running classifiers apply it to their next job.
 *
 * <p>It connects with the classifier service's own Kafka settings ({@link ServiceKafkaSettings}: its
 * {@code SPRING_KAFKA_*} environment variables over its application.yaml), so in the classifier's pod it logs in
 * as the service does; {@code --command-config FILE} adds Kafka client properties, {@code --bootstrap-servers}
 * names other brokers.
 *
 * <pre>bash scripts/demo.sh routing show | set KEY=VALUE...</pre>
 */
@Command(name = "routing", sortOptions = false, synopsisSubcommandLabel = "(show | set)",
        description = "Shows or changes the classifier's live routing configuration (topic jobs.routing).",
        footer = {"", "Exit status: 0 done, 1 jobs.routing could not be read or written, 2 refused or bad usage "
                + "(nothing written).",
                "Kafka settings: the classifier's (SPRING_KAFKA_* environment variables over its application.yaml), "
                + "then --command-config, then --bootstrap-servers."})
public final class RoutingCommand implements Callable<Integer> {

    /** Exit status of a refused command or bad usage; 1 is a failure to read or write. */
    public static final int REFUSED = CommandLine.ExitCode.USAGE;

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Option(names = "--bootstrap-servers", paramLabel = "H:P", scope = ScopeType.INHERIT,
            description = "the brokers holding jobs.routing; default: the classifier's spring.kafka.bootstrap-servers")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "a Kafka client properties file (security.protocol, sasl.*, ssl.*, ...) applied over "
                    + "the classifier's settings")
    Path commandConfig;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "this help")
    boolean help;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;

    private RoutingCommand(Map<String, String> environment, Clock clock, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Run outside Spring Boot, logback's default would print the Kafka clients' lines around the answer; the
        // command reports every failure itself, in one line (a rejected login, an unreachable broker).
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.OFF);
        System.exit(run(List.of(args), System.getenv(), System.getProperty("user.name", "unknown"),
                Clock.systemUTC(), System.out, System.err));
    }

    /** Runs one command with this process's environment variables; see the other {@code run}. */
    public static int run(List<String> args, String user, Clock clock, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), user, clock, out, err);
    }

    /**
     * Runs one command; returns the exit status: 0, 1 when reading or writing failed, {@value #REFUSED} when
     * refused. {@code environment} stands for the process's environment variables ({@code SPRING_KAFKA_*}),
     * {@code user} is the default of {@code --by}.
     */
    public static int run(List<String> args, Map<String, String> environment, String user, Clock clock,
                          PrintStream out, PrintStream err) {
        RoutingCommand routing = new RoutingCommand(environment, clock, out, err);
        CommandLine commandLine = new CommandLine(routing)
                .addSubcommand(new ShowCommand(routing))
                .addSubcommand(new SetCommand(routing, user))
                // a value such as --by @ops is a name, not a file of arguments
                .setExpandAtFiles(false)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((refused, ignored) -> {
                    CommandLine command = refused.getCommandLine();
                    command.getErr().println("routing: " + refused.getMessage());
                    command.getErr().print(command.getHelp().fullSynopsis());
                    command.getErr().println("More: " + command.getCommandSpec().qualifiedName() + " --help");
                    return REFUSED;
                });
        return commandLine.execute(args.toArray(String[]::new));
    }

    /** {@code routing} alone: say which subcommands there are. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "expected show or set");
    }

    /** Prints the current configuration. */
    @Command(name = "show", sortOptions = false,
            description = "Prints the current version, who wrote it and when, then one KEY=VALUE per line.")
    static final class ShowCommand implements Callable<Integer> {

        private final RoutingCommand routing;

        ShowCommand(RoutingCommand routing) {
            this.routing = routing;
        }

        @Override
        public Integer call() {
            return routing.talking(topic -> {
                Optional<RoutingConfig> current = topic.read();
                if (current.isEmpty()) {
                    routing.out.println(Topics.JOBS_ROUTING.name() + " holds no configuration yet: the classifiers "
                            + "decide with the thresholds of their application.yaml, and the first to start writes "
                            + "them as version 1");
                } else {
                    print(current.get(), routing.out);
                }
                return 0;
            });
        }
    }

    /** Writes the next version with the given changes. */
    @Command(name = "set", sortOptions = false,
            description = "Reads the current configuration, applies the changes, checks the whole result and "
                    + "writes it as the next version.")
    static final class SetCommand implements Callable<Integer> {

        private final RoutingCommand routing;

        @Option(names = "--by", paramLabel = "NAME",
                description = "who changes it, recorded with the version; default: the user name")
        String by;

        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = {
                "fileSizeMb, pageCount, imageCount: the rule's thresholds (each inclusive, > 0)",
                "mode: rule, shadow or model",
                "modelBudgetMs: in model mode, the predicted cost from which a job is heavy"})
        List<String> changes;

        @Spec
        CommandSpec spec;

        SetCommand(RoutingCommand routing, String user) {
            this.routing = routing;
            this.by = user;
        }

        @Override
        public Integer call() {
            Map<String, String> byKey = new LinkedHashMap<>();
            for (String change : changes) {
                int eq = change.indexOf('=');
                if (eq <= 0) {
                    throw refused(change + " is not KEY=VALUE");
                }
                String key = change.substring(0, eq);
                if (!RoutingConfig.SETTABLE_KEYS.contains(key)) {
                    throw refused("unknown key " + key + ": expected one of "
                            + String.join(", ", RoutingConfig.SETTABLE_KEYS.stream().sorted().toList()));
                }
                if (byKey.put(key, change.substring(eq + 1)) != null) {
                    throw refused(key + " is given twice");
                }
            }
            return routing.talking(topic -> write(topic, byKey));
        }

        private int write(RoutingConfigTopic topic, Map<String, String> changes) {
            PrintStream out = routing.out;
            PrintStream err = routing.err;
            Optional<RoutingConfig> current = topic.read();
            if (current.isEmpty()) {
                err.println("routing: " + Topics.JOBS_ROUTING.name() + " holds no configuration yet; start the "
                        + "classifier once, it writes its application.yaml values as version 1");
                return 1;
            }
            RoutingConfig next;
            try {
                next = current.get().with(changes, by, routing.clock.instant());
            } catch (IllegalArgumentException e) {
                throw refused(e.getMessage() + "; nothing was written");
            }
            topic.write(next);
            // Two changes at once both write the same next version, and readers keep the later (as compaction does):
            // say which one lost.
            RoutingConfig now = topic.read().orElseThrow();
            if (!now.equals(next)) {
                err.printf("routing: version %d was written by %s at the same time; this change was not applied, "
                        + "run it again%n", now.version(), now.changedBy());
                return 1;
            }
            out.printf("wrote version %d%n", next.version());
            print(next, out);
            return 0;
        }

        private ParameterException refused(String problem) {
            return new ParameterException(spec.commandLine(), problem);
        }
    }

    /** What a subcommand does with the topic. */
    @FunctionalInterface
    private interface Step {
        int run(RoutingConfigTopic topic);
    }

    /**
     * Runs a step that talks to the broker with the classifier's Kafka settings; a failure there is one line
     * naming the connection (never the password) and status 1, not a stack trace.
     */
    private int talking(Step step) {
        Map<String, Object> configs;
        try {
            configs = ServiceKafkaSettings.clientConfigs(environment, commandConfig, bootstrapServers);
        } catch (UncheckedIOException | BindException e) {
            err.println("routing: cannot read the Kafka client settings: " + oneLine(e));
            return 1;
        }
        try {
            return step.run(new RoutingConfigTopic(configs, TIMEOUT));
        } catch (KafkaException | IllegalStateException e) {
            err.println("routing: cannot read or write " + Topics.JOBS_ROUTING.name() + " at "
                    + KafkaConnection.of(configs) + ": " + oneLine(e));
            return 1;
        }
    }

    /** The failure and, when it differs, its root cause: "Failed to construct kafka consumer" alone says little. */
    private static String oneLine(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root == failure || root.getMessage() == null
                || String.valueOf(failure.getMessage()).contains(root.getMessage())
                ? String.valueOf(failure.getMessage())
                : failure.getMessage() + ": " + root.getMessage();
        return text.replaceAll("\\s*\\R\\s*", " ");
    }

    private static void print(RoutingConfig config, PrintStream out) {
        out.printf(Locale.ROOT, "version=%d changedBy=%s changedAt=%s%n", config.version(), config.changedBy(),
                config.changedAt());
        out.printf(Locale.ROOT, "fileSizeMb=%s%npageCount=%d%nimageCount=%d%nmode=%s%nmodelBudgetMs=%d%n",
                config.fileSizeMb(), config.pageCount(), config.imageCount(),
                config.mode().name().toLowerCase(Locale.ROOT), config.modelBudgetMs());
    }
}
