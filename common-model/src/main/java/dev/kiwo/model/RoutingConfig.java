package dev.kiwo.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The classifier's routing configuration, as carried on the compacted {@code jobs.routing} topic under the key
 * {@value #KEY}. Every classifier instance reads the latest record and decides with it; a change is a new record
 * with the next {@code version}. The constructor rejects what could not route sensibly, so a config that exists is
 * a valid one.
 *
 * @param fileSizeMb    a job this large or larger is heavy by the rule
 * @param pageCount     a job with this many pages or more is heavy by the rule
 * @param imageCount    a job with this many images or more is heavy by the rule
 * @param mode          how the classifier decides
 * @param modelBudgetMs in {@code model} mode, a job whose predicted cost reaches this budget is heavy; null takes
 *                      {@value #DEFAULT_MODEL_BUDGET_MS}
 * @param version       1 for the seed from application.yaml, one more for each change
 * @param changedBy     who wrote this version, e.g. {@code seed} or a user name
 * @param changedAt     when this version was written
 */
public record RoutingConfig(double fileSizeMb, int pageCount, int imageCount, DecisionMode mode, Long modelBudgetMs,
                            long version, String changedBy, Instant changedAt) {

    /** The one key of {@code jobs.routing}: there is one active configuration. */
    public static final String KEY = "active";
    public static final long DEFAULT_MODEL_BUDGET_MS = 1000;
    /** A budget above this is a typo, not a cost. */
    public static final long MAX_MODEL_BUDGET_MS = 3_600_000;

    /** The keys {@link #with} accepts, as written on the command line. */
    public static final Set<String> SETTABLE_KEYS =
            Set.of("fileSizeMb", "pageCount", "imageCount", "mode", "modelBudgetMs");

    public RoutingConfig {
        if (!Double.isFinite(fileSizeMb) || fileSizeMb <= 0) {
            throw new IllegalArgumentException("fileSizeMb must be a finite number > 0, was " + fileSizeMb);
        }
        if (pageCount <= 0) {
            throw new IllegalArgumentException("pageCount must be > 0, was " + pageCount);
        }
        if (imageCount <= 0) {
            throw new IllegalArgumentException("imageCount must be > 0, was " + imageCount);
        }
        Objects.requireNonNull(mode, "mode is required: one of rule, shadow, model");
        modelBudgetMs = modelBudgetMs == null ? DEFAULT_MODEL_BUDGET_MS : modelBudgetMs;
        if (modelBudgetMs <= 0 || modelBudgetMs > MAX_MODEL_BUDGET_MS) {
            throw new IllegalArgumentException(
                    "modelBudgetMs must be > 0 and at most " + MAX_MODEL_BUDGET_MS + ", was " + modelBudgetMs);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
        if (changedBy == null || changedBy.isBlank()) {
            throw new IllegalArgumentException("changedBy is required");
        }
        Objects.requireNonNull(changedAt, "changedAt is required");
    }

    /** Version 1: the values of application.yaml, written when {@code jobs.routing} is empty. */
    public static RoutingConfig seed(double fileSizeMb, int pageCount, int imageCount, Instant now) {
        return new RoutingConfig(fileSizeMb, pageCount, imageCount, DecisionMode.RULE, DEFAULT_MODEL_BUDGET_MS, 1,
                "seed", now);
    }

    /**
     * The next version: these keys changed, the rest kept. Every key and value is checked before anything is built,
     * so a bad one leaves nothing half applied.
     *
     * @throws IllegalArgumentException naming the unknown key or the bad value
     */
    public RoutingConfig with(Map<String, String> changes, String by, Instant at) {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("nothing to change: give KEY=VALUE, KEY one of " + sorted());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("fileSizeMb", fileSizeMb);
        values.put("pageCount", pageCount);
        values.put("imageCount", imageCount);
        values.put("mode", mode);
        values.put("modelBudgetMs", modelBudgetMs);
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String key = change.getKey();
            String value = change.getValue() == null ? "" : change.getValue().trim();
            if (!SETTABLE_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key " + key + ": expected one of " + sorted());
            }
            try {
                values.put(key, switch (key) {
                    case "fileSizeMb" -> Double.parseDouble(value);
                    case "pageCount", "imageCount" -> Integer.parseInt(value);
                    case "modelBudgetMs" -> Long.parseLong(value);
                    default -> DecisionMode.valueOf(value.toUpperCase(Locale.ROOT));
                });
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "=" + value + " is not a valid "
                        + ("mode".equals(key) ? "mode: expected rule, shadow or model" : "number"), e);
            }
        }
        return new RoutingConfig((double) values.get("fileSizeMb"), (int) values.get("pageCount"),
                (int) values.get("imageCount"), (DecisionMode) values.get("mode"), (Long) values.get("modelBudgetMs"),
                Math.addExact(version, 1), by, at);
    }

    private static String sorted() {
        return String.join(", ", SETTABLE_KEYS.stream().sorted().toList());
    }
}
