package dev.kiwo.load;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    static final String USAGE = """
            Usage: load-generator [--option value]...
              --target URL             API base URL                       (default http://localhost:8080)
              --warmup D               send at the steady rates first, not
                                       counted (client and server JIT)    (default 0s)
              --duration D             how long to send                   (default 30s)
              --light-rate N           light jobs per second              (default 40)
              --heavy-rate N           heavy jobs per second, steady      (default 0)
              --burst-at D             when the heavy burst starts        (default 10s)
              --burst-for D            how long it lasts, 0 for none      (default 10s)
              --burst-heavy-rate N     heavy jobs per second in the burst (default 5)
              --concurrency N          requests in flight at most         (default 64)
              --request-timeout D      per request                        (default 5s)
              --progress D             progress line interval             (default 5s)
              --seed N                 job shapes are reproducible        (default 42)
              --completion MODE        how each accepted job's end is learnt, for completion
                                       and end-to-end latency per class:
                                         api    GET /jobs/{id} with Prefer: wait, after sending
                                         kafka  read jobs.results while sending; also audits
                                                duplicates (needs --bootstrap-servers)
                                         none   POST figures only
                                       (default kafka with --bootstrap-servers, else none)
              --bootstrap-servers H:P  the broker whose jobs.results kafka reads
              --watchers N             api: status requests in flight at most (default 256)
              --drain-timeout D        how long to wait for results       (default 120s)
              --json FILE              also write the summary as JSON; - prints it
                                       as one line after the summary
              --api-key KEY            sent as X-API-Key with every request
                                       (default: the variable KIWO_API_KEY; none)
            Durations: 500ms, 30s, 2m.""";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

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
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + arg);
            }
            options.put(arg.substring(2), args[++i]);
        }
        String bootstrapServers = take(options, "bootstrap-servers", null);
        String completion = take(options, "completion", bootstrapServers == null ? "none" : "kafka");
        LoadPlan plan = new LoadPlan(
                URI.create(take(options, "target", "http://localhost:8080")),
                duration(take(options, "warmup", "0s")),
                duration(take(options, "duration", "30s")),
                Double.parseDouble(take(options, "light-rate", "40")),
                Double.parseDouble(take(options, "heavy-rate", "0")),
                duration(take(options, "burst-at", "10s")),
                duration(take(options, "burst-for", "10s")),
                Double.parseDouble(take(options, "burst-heavy-rate", "5")),
                Integer.parseInt(take(options, "concurrency", "64")),
                duration(take(options, "request-timeout", "5s")),
                duration(take(options, "progress", "5s")),
                Long.parseLong(take(options, "seed", "42")),
                bootstrapServers,
                duration(take(options, "drain-timeout", "120s")),
                take(options, "json", null),
                completion(completion),
                Integer.parseInt(take(options, "watchers", "256")),
                take(options, "api-key", blankToNull(environment.get(API_KEY_VARIABLE))));
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", options.keySet()));
        }
        return plan;
    }

    private static Completion completion(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "api" -> Completion.API;
            case "kafka" -> Completion.KAFKA;
            case "none" -> Completion.NONE;
            default -> throw new IllegalArgumentException("--completion must be api, kafka or none, was " + text);
        };
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + text + " (use e.g. 500ms, 30s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String take(Map<String, String> options, String key, String fallback) {
        String value = options.remove(key);
        return value == null ? fallback : value;
    }
}
