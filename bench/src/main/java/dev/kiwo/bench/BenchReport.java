package dev.kiwo.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an experiment found: raw figures for {@code results.json}, prose and tables for {@code summary.md}, and
 * the plots drawn next to them. Every report starts with the machine, the versions and the parameters.
 */
final class BenchReport {

    static final String JSON_FILE = "results.json";
    static final String SUMMARY_FILE = "summary.md";

    private final String experiment;
    private final Map<String, Object> machine;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> sections = new ArrayList<>();
    private final List<String> plots = new ArrayList<>();
    private Map<String, String> params = Map.of();

    BenchReport(String experiment, Map<String, Object> machine) {
        this.experiment = experiment;
        this.machine = machine;
    }

    void put(String key, Object value) {
        figures.put(key, value);
    }

    void section(String markdown) {
        sections.add(markdown.strip());
    }

    void plot(String fileName) {
        plots.add(fileName);
    }

    void params(Map<String, String> used) {
        this.params = new LinkedHashMap<>(used);
    }

    Map<String, Object> figures() {
        return figures;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# kiwo benchmark: ").append(experiment).append("\n\n");
        List<List<String>> env = new ArrayList<>();
        machine.forEach((k, v) -> env.add(List.of(k, String.valueOf(v))));
        md.append(Markdown.table(List.of("machine", "value"), env)).append('\n');
        List<List<String>> p = new ArrayList<>();
        params.forEach((k, v) -> p.add(List.of(k, v)));
        md.append(Markdown.table(List.of("parameter", "value"), p));
        for (String s : sections) {
            md.append('\n').append(s).append('\n');
        }
        for (String plot : plots) {
            md.append("\n![").append(plot).append("](").append(plot).append(")\n");
        }
        return md.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", experiment);
        json.put("machine", machine);
        json.put("parameters", params);
        json.put("figures", figures);
        json.put("plots", plots);
        return json;
    }

    void write(Path dir, PrintStream out) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON_FILE),
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(json()));
        String md = markdown();
        Files.writeString(dir.resolve(SUMMARY_FILE), md);
        out.println();
        out.println(md);
        out.println("written to " + dir);
    }
}
