package dev.kiwo.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the services really expose: the /actuator/prometheus scrapes in src/test/resources/metrics, taken
 * from the four services running against a real broker after light and heavy jobs went through
 * (infra-tests/scrape-snapshot.sh refreshes them).
 */
final class MetricsSnapshot {

    static final List<String> SERVICES = List.of("api", "classifier", "worker-light", "worker-heavy");

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");

    /** Sample name (as queried: with _total, _bucket, _count ...) to the label names it carries. */
    final Map<String, Set<String>> labels = new TreeMap<>();
    /** Sample name to the services that expose it. */
    final Map<String, Set<String>> services = new TreeMap<>();
    /** Metric family to its Prometheus type (counter, gauge, histogram, summary). */
    final Map<String, String> types = new HashMap<>();
    /** Sample name and label name to the values seen. */
    final Map<String, Set<String>> labelValues = new HashMap<>();

    static MetricsSnapshot load() {
        MetricsSnapshot snapshot = new MetricsSnapshot();
        for (String service : SERVICES) {
            Path file = Repo.root().resolve("infra-tests/src/test/resources/metrics/" + service + ".prom");
            try {
                for (String line : Files.readAllLines(file)) {
                    snapshot.read(service, line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return snapshot;
    }

    private void read(String service, String line) {
        Matcher type = TYPE.matcher(line);
        if (type.matches()) {
            types.put(type.group(1), type.group(2));
            return;
        }
        Matcher sample = SAMPLE.matcher(line);
        if (line.startsWith("#") || !sample.matches()) {
            return;
        }
        String name = sample.group(1);
        Set<String> names = labels.computeIfAbsent(name, n -> new TreeSet<>());
        services.computeIfAbsent(name, n -> new TreeSet<>()).add(service);
        if (sample.group(3) != null) {
            Matcher label = LABEL.matcher(sample.group(3));
            while (label.find()) {
                names.add(label.group(1));
                labelValues.computeIfAbsent(name + "/" + label.group(1), k -> new TreeSet<>()).add(label.group(2));
            }
        }
    }

    boolean exposes(String sampleName) {
        return labels.containsKey(sampleName);
    }

    Set<String> values(String sampleName, String label) {
        return labelValues.getOrDefault(sampleName + "/" + label, Set.of());
    }
}
