package dev.kiwo.classifier.routing;

import ch.qos.logback.classic.Level;
import dev.kiwo.model.RoutingConfig;
import dev.kiwo.model.Topics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;

/**
 * Shows or changes the live routing configuration on {@code jobs.routing}. A change reads the current record,
 * checks every {@code KEY=VALUE} and writes the whole configuration as the next version; an unknown key or a bad
 * value is refused before anything is written. Running classifiers apply it to their next job.
 *
 * <pre>bash scripts/demo.sh routing show | set KEY=VALUE...</pre>
 */
public final class RoutingCommand {

    static final String USAGE = """
            Usage: routing --bootstrap-servers H:P show
                   routing --bootstrap-servers H:P [--by NAME] set KEY=VALUE...
              --bootstrap-servers H:P  the broker holding jobs.routing
              --by NAME                who changes it, recorded with the version; default: the user name
              KEY                      fileSizeMb, pageCount, imageCount (the rule's thresholds, each inclusive),
                                       mode (rule, shadow or model), modelBudgetMs""";

    /** Exit status of a refused command or bad usage; 1 is a failure to read or write. */
    public static final int REFUSED = 2;

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private RoutingCommand() {
    }

    public static void main(String[] args) {
        // Run outside Spring Boot, logback's default would print the Kafka clients' DEBUG lines around the answer;
        // a broker that cannot be reached is reported once, below, not on every retry.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.ERROR);
        System.exit(run(List.of(args), System.getProperty("user.name", "unknown"), Clock.systemUTC(), System.out,
                System.err));
    }

    /** Runs one command; returns the exit status: 0, 1 when reading or writing failed, {@value #REFUSED}. */
    public static int run(List<String> args, String user, Clock clock, PrintStream out, PrintStream err) {
        String bootstrapServers = null;
        String by = user;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--bootstrap-servers") || arg.equals("--by")) {
                if (i + 1 >= args.size()) {
                    return refuse(err, arg + " needs a value");
                }
                if (arg.equals("--by")) {
                    by = args.get(++i);
                } else {
                    bootstrapServers = args.get(++i);
                }
            } else {
                rest.add(arg);
            }
        }
        if (bootstrapServers == null) {
            return refuse(err, "--bootstrap-servers is required");
        }
        if (rest.isEmpty() || !List.of("show", "set").contains(rest.get(0))) {
            return refuse(err, "expected show or set");
        }
        RoutingConfigTopic topic = new RoutingConfigTopic(
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), TIMEOUT);
        if (rest.get(0).equals("show")) {
            if (rest.size() > 1) {
                return refuse(err, "show takes no arguments");
            }
            return talking(bootstrapServers, err, () -> show(topic, out));
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (String change : rest.subList(1, rest.size())) {
            int eq = change.indexOf('=');
            if (eq <= 0) {
                return refuse(err, change + " is not KEY=VALUE");
            }
            String key = change.substring(0, eq);
            if (!RoutingConfig.SETTABLE_KEYS.contains(key)) {
                return refuse(err, "unknown key " + key + ": expected one of "
                        + String.join(", ", RoutingConfig.SETTABLE_KEYS.stream().sorted().toList()));
            }
            if (changes.put(key, change.substring(eq + 1)) != null) {
                return refuse(err, key + " is given twice");
            }
        }
        if (changes.isEmpty()) {
            return refuse(err, "set needs at least one KEY=VALUE");
        }
        String changedBy = by;
        return talking(bootstrapServers, err, () -> set(topic, changes, changedBy, clock, out, err));
    }

    /** Runs a step that talks to the broker; a failure there is one line and status 1, not a stack trace. */
    private static int talking(String bootstrapServers, PrintStream err, IntSupplier step) {
        try {
            return step.getAsInt();
        } catch (KafkaException | IllegalStateException e) {
            err.println("routing: cannot read or write " + Topics.JOBS_ROUTING.name() + " at " + bootstrapServers
                    + ": " + e.getMessage());
            return 1;
        }
    }

    private static int show(RoutingConfigTopic topic, PrintStream out) {
        Optional<RoutingConfig> current = topic.read();
        if (current.isEmpty()) {
            out.println(Topics.JOBS_ROUTING.name() + " holds no configuration yet: the classifiers decide with the "
                    + "thresholds of their application.yaml, and the first to start writes them as version 1");
            return 0;
        }
        print(current.get(), out);
        return 0;
    }

    private static int set(RoutingConfigTopic topic, Map<String, String> changes, String by, Clock clock,
                           PrintStream out, PrintStream err) {
        Optional<RoutingConfig> current = topic.read();
        if (current.isEmpty()) {
            err.println("routing: " + Topics.JOBS_ROUTING.name() + " holds no configuration yet; start the "
                    + "classifier once, it writes its application.yaml values as version 1");
            return 1;
        }
        RoutingConfig next;
        try {
            next = current.get().with(changes, by, clock.instant());
        } catch (IllegalArgumentException e) {
            return refuse(err, e.getMessage() + "; nothing was written");
        }
        topic.write(next);
        // Two changes at once both write the same next version, and readers keep the first: say which one lost.
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

    private static void print(RoutingConfig config, PrintStream out) {
        out.printf(Locale.ROOT, "version=%d changedBy=%s changedAt=%s%n", config.version(), config.changedBy(),
                config.changedAt());
        out.printf(Locale.ROOT, "fileSizeMb=%s%npageCount=%d%nimageCount=%d%nmode=%s%nmodelBudgetMs=%d%n",
                config.fileSizeMb(), config.pageCount(), config.imageCount(),
                config.mode().name().toLowerCase(Locale.ROOT), config.modelBudgetMs());
    }

    private static int refuse(PrintStream err, String problem) {
        err.println("routing: " + problem);
        err.println(USAGE);
        return REFUSED;
    }
}
