package dev.kiwo.bench;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of a run: every figure an experiment uses has a quick and a default value, and any of them can
 * be overridden on the command line ({@link Bench}: {@code --name=value} or {@code --name value}). What was used is
 * kept, so the report can state it.
 */
final class Params {

    private final boolean quick;
    private final Map<String, String> overrides;
    private final Map<String, String> used = new LinkedHashMap<>();

    Params(boolean quick, Map<String, String> overrides) {
        this.quick = quick;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    boolean quick() {
        return quick;
    }

    String string(String name, String quickValue, String defaultValue) {
        String value = overrides.getOrDefault(name, quick ? quickValue : defaultValue);
        used.put(name, value);
        return value;
    }

    int integer(String name, int quickValue, int defaultValue) {
        return Integer.parseInt(string(name, String.valueOf(quickValue), String.valueOf(defaultValue)));
    }

    double number(String name, double quickValue, double defaultValue) {
        return Double.parseDouble(string(name, plain(quickValue), plain(defaultValue)));
    }

    Duration duration(String name, String quickValue, String defaultValue) {
        return parseDuration(string(name, quickValue, defaultValue));
    }

    List<Integer> integers(String name, String quickValue, String defaultValue) {
        List<Integer> values = new ArrayList<>();
        for (String part : string(name, quickValue, defaultValue).split(",")) {
            values.add(Integer.parseInt(part.trim()));
        }
        return values;
    }

    List<String> strings(String name, String quickValue, String defaultValue) {
        return Arrays.stream(string(name, quickValue, defaultValue).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** The parameters read so far, with the values used; overrides that no experiment read are reported too. */
    Map<String, String> used() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("mode", quick ? "quick" : "default");
        all.putAll(used);
        overrides.forEach((k, v) -> {
            if (!used.containsKey(k)) {
                all.put(k + " (unused)", v);
            }
        });
        return all;
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, or ISO-8601 ({@code PT30S}). */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(text.trim());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | IndexOutOfBoundsException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (use 500ms, 30s or 2m)");
        }
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
