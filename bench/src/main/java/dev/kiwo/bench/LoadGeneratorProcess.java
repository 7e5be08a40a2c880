package dev.kiwo.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Runs the project's load generator (the one {@code demo.sh load} uses) and reads the figures it writes. */
final class LoadGeneratorProcess {

    private LoadGeneratorProcess() {
    }

    /**
     * Runs it to the end with the given options plus {@code --json}; returns the {@code figures} object of its
     * JSON summary. Its progress lines are echoed.
     */
    static Map<String, Object> run(Layout layout, Path runDir, String name, List<String> options, Duration timeout,
                                   PrintStream out) throws Exception {
        return run(layout, runDir, name, List.of("-Xmx512m"), options, timeout, out);
    }

    /** As {@link #run(Layout, Path, String, List, Duration, PrintStream)}, with the given JVM options. */
    static Map<String, Object> run(Layout layout, Path runDir, String name, List<String> jvm, List<String> options,
                                   Duration timeout, PrintStream out) throws Exception {
        Path json = runDir.resolve(name + ".json");
        Files.deleteIfExists(json);
        List<String> command = new ArrayList<>(List.of(Layout.currentJava().toString()));
        command.addAll(jvm);
        command.addAll(List.of("-jar", layout.execJar("load-generator").toString()));
        command.addAll(options);
        command.add("--json");
        command.add(json.toString());
        Path log = runDir.resolve("logs/" + name + ".log");
        int code = Processes.run(name, command, log, runDir, out, timeout);
        if (!Files.exists(json)) {
            throw new IllegalStateException("the load generator exited with " + code + " and wrote no figures; see "
                    + log);
        }
        Map<String, Object> summary = JsonMapper.builder().build().readValue(json.toFile(), new TypeReference<>() {
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> figures = (Map<String, Object>) summary.get("figures");
        return figures;
    }

    static long number(Map<String, Object> figures, String... path) {
        return (long) Math.round(decimal(figures, path));
    }

    /** A number at a path of keys in the figures; NaN when absent. */
    @SuppressWarnings("unchecked")
    static double decimal(Map<String, Object> figures, String... path) {
        Object node = figures;
        for (String key : path) {
            if (!(node instanceof Map)) {
                return Double.NaN;
            }
            node = ((Map<String, Object>) node).get(key);
        }
        return node instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
