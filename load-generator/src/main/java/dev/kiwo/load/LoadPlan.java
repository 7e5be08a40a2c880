package dev.kiwo.load;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What to send: a steady rate of light jobs, an optional steady rate of heavy jobs, and an optional burst
 * of heavy jobs inside the run. Rates are jobs per second; the schedule is open-loop (it does not slow
 * down when the server does). How the run then learns each accepted job's end is {@link Completion}. With an
 * {@code apiKey} every request carries it as {@value #API_KEY_HEADER}; it is left out of the JSON summary.
 */
record LoadPlan(
        URI target,
        Duration warmup,
        Duration duration,
        double lightRate,
        double heavyRate,
        Duration burstAt,
        Duration burstFor,
        double burstHeavyRate,
        int concurrency,
        Duration requestTimeout,
        Duration progressEvery,
        long seed,
        String bootstrapServers,
        Duration drainTimeout,
        String jsonReport,
        Completion completion,
        int watchers,
        @JsonIgnore String apiKey) {

    /** The header of the API's mode {@code api-key}. */
    static final String API_KEY_HEADER = "X-API-Key";

    /** Where the key comes from without {@code --api-key}: in Kubernetes, a Secret's key set as this variable. */
    static final String API_KEY_VARIABLE = "KIWO_API_KEY";

    /**
     * How a run learns how its accepted jobs ended. Without {@code --completion} it is {@code KAFKA} when
     * {@code --bootstrap-servers} is given and {@code NONE} otherwise, so runs that only measure the POST (the
     * benchmarks' ingest runs, against an API without workers) never wait for ends that will not come.
     */
    enum Completion {
        /** {@code GET /jobs/{id}} with {@code Prefer: wait} once sending is over ({@link StatusWatch}). */
        API,
        /** {@code jobs.results}, read while sending ({@link ResultTracker}); the only one that sees duplicates. */
        KAFKA,
        /** Not followed: the summary has the POST figures only. */
        NONE
    }

    LoadPlan {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (lightRate < 0 || heavyRate < 0 || burstHeavyRate < 0) {
            throw new IllegalArgumentException("rates must be >= 0");
        }
        if (lightRate + heavyRate + burstHeavyRate == 0) {
            throw new IllegalArgumentException("at least one rate must be above 0");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1");
        }
        if (watchers < 1) {
            throw new IllegalArgumentException("--watchers must be at least 1");
        }
        if (completion == Completion.KAFKA && bootstrapServers == null) {
            throw new IllegalArgumentException("--completion kafka needs --bootstrap-servers");
        }
        if (completion != Completion.KAFKA && bootstrapServers != null) {
            throw new IllegalArgumentException("--bootstrap-servers is read only with --completion kafka");
        }
        if (apiKey != null && (apiKey.isEmpty() || !apiKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e))) {
            throw new IllegalArgumentException("--api-key must be visible ASCII characters");
        }
        String scheme = target.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("--target must be an http(s) URL, was " + target);
        }
    }

    static LoadPlan parse(String... args) {
        return parse(System.getenv(), args);
    }

    /** {@code environment} gives {@value #API_KEY_VARIABLE} when there is no {@code --api-key}; blank is none. */
    static LoadPlan parse(Map<String, String> environment, String... args) {
        Options options = new Options();
        CommandLines.of(options, System.out, System.err).parseArgs(args);
        return options.plan(environment);
    }

    /** The command line's options; {@link #plan} fills in the defaults that depend on other options. */
    static final class Options {

        @Option(names = "--target", paramLabel = "URL", defaultValue = "http://localhost:8080",
                description = "API base URL (default: ${DEFAULT-VALUE})")
        URI target;

        @Option(names = "--warmup", paramLabel = "D", defaultValue = "0s", description = "send at the steady "
                + "rates first, not counted: client and server JIT (default: ${DEFAULT-VALUE})")
        Duration warmup;

        @Option(names = "--duration", paramLabel = "D", defaultValue = "30s",
                description = "how long to send (default: ${DEFAULT-VALUE})")
        Duration duration;

        @Option(names = "--light-rate", paramLabel = "N", defaultValue = "40",
                description = "light jobs per second (default: ${DEFAULT-VALUE})")
        double lightRate;

        @Option(names = "--heavy-rate", paramLabel = "N", defaultValue = "0",
                description = "heavy jobs per second, steady (default: ${DEFAULT-VALUE})")
        double heavyRate;

        @Option(names = "--burst-at", paramLabel = "D", defaultValue = "10s",
                description = "when the heavy burst starts (default: ${DEFAULT-VALUE})")
        Duration burstAt;

        @Option(names = "--burst-for", paramLabel = "D", defaultValue = "10s",
                description = "how long it lasts, 0s for none (default: ${DEFAULT-VALUE})")
        Duration burstFor;

        @Option(names = "--burst-heavy-rate", paramLabel = "N", defaultValue = "5",
                description = "heavy jobs per second in the burst (default: ${DEFAULT-VALUE})")
        double burstHeavyRate;

        @Option(names = "--concurrency", paramLabel = "N", defaultValue = "64",
                description = "requests in flight at most (default: ${DEFAULT-VALUE})")
        int concurrency;

        @Option(names = "--request-timeout", paramLabel = "D", defaultValue = "5s",
                description = "per request (default: ${DEFAULT-VALUE})")
        Duration requestTimeout;

        @Option(names = "--progress", paramLabel = "D", defaultValue = "5s",
                description = "progress line interval (default: ${DEFAULT-VALUE})")
        Duration progressEvery;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
                description = "job shapes are reproducible (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--completion", paramLabel = "MODE", description = {
                "how each accepted job's end is learnt, for",
                "completion and end-to-end latency per class:",
                "  api    GET /jobs/{id} with Prefer: wait, after",
                "         sending",
                "  kafka  read jobs.results while sending, audit",
                "         duplicates (needs --bootstrap-servers)",
                "  none   POST figures only",
                "(default: kafka if --bootstrap-servers, else none)"})
        Completion completion;

        @Option(names = "--bootstrap-servers", paramLabel = "H:P",
                description = "the broker whose jobs.results kafka reads")
        String bootstrapServers;

        @Option(names = "--watchers", paramLabel = "N", defaultValue = "256",
                description = "api: status requests in flight at most (default: ${DEFAULT-VALUE})")
        int watchers;

        @Option(names = "--drain-timeout", paramLabel = "D", defaultValue = "120s",
                description = "how long to wait for results (default: ${DEFAULT-VALUE})")
        Duration drainTimeout;

        @Option(names = "--json", paramLabel = "FILE",
                description = "also write the summary as JSON; - prints it as one line after the summary")
        String jsonReport;

        @Option(names = "--api-key", paramLabel = "KEY", description = "sent as " + API_KEY_HEADER
                + " with every request (default: the variable " + API_KEY_VARIABLE + "; none)")
        String apiKey;

        LoadPlan plan(Map<String, String> environment) {
            String variable = environment.get(API_KEY_VARIABLE);
            return new LoadPlan(target, warmup, duration, lightRate, heavyRate, burstAt, burstFor, burstHeavyRate,
                    concurrency, requestTimeout, progressEvery, seed, bootstrapServers, drainTimeout, jsonReport,
                    completion != null ? completion : bootstrapServers == null ? Completion.NONE : Completion.KAFKA,
                    watchers, apiKey != null || variable == null || variable.isBlank() ? apiKey : variable);
        }
    }
}
