package dev.kiwo.infra;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** Kubernetes resource quantities and Spring durations, as far as the manifests use them. */
final class Quantities {

    private static final Map<String, BigDecimal> SUFFIXES = Map.of(
            "m", new BigDecimal("0.001"),
            "Ki", BigDecimal.valueOf(1L << 10),
            "Mi", BigDecimal.valueOf(1L << 20),
            "Gi", BigDecimal.valueOf(1L << 30),
            "Ti", BigDecimal.valueOf(1L << 40),
            "k", BigDecimal.valueOf(1_000L),
            "M", BigDecimal.valueOf(1_000_000L),
            "G", BigDecimal.valueOf(1_000_000_000L));

    private Quantities() {
    }

    static BigDecimal parse(Object quantity) {
        String q = String.valueOf(quantity);
        for (String suffix : new String[] {"Ki", "Mi", "Gi", "Ti", "m", "k", "M", "G"}) {
            if (q.endsWith(suffix)) {
                return new BigDecimal(q.substring(0, q.length() - suffix.length())).multiply(SUFFIXES.get(suffix));
            }
        }
        return new BigDecimal(q);
    }

    /** Spring's simple duration format (30s, 500ms, 2m); a bare number is milliseconds. */
    static Duration duration(String value) {
        String v = value.trim();
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis(new BigDecimal(v.substring(0, v.length() - 1)).multiply(BigDecimal.valueOf(1000)).longValue());
        }
        if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.startsWith("PT")) {
            return Duration.parse(v);
        }
        return Duration.ofMillis(Long.parseLong(v));
    }
}
