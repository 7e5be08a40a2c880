package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BenchReportTest {

    @TempDir
    Path dir;

    private BenchReport report() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", 2);
        machine.put("jdk", "Temurin 25");
        BenchReport report = new BenchReport("isolation", machine);
        report.params(Map.of("mode", "quick"));
        report.put("ratios", Map.of("sharedOverSplitDuring", 7.5));
        report.section("## Light latency\n\ntext");
        report.plot("isolation-light-latency.png");
        return report;
    }

    @Test
    void summaryNamesTheMachineTheParametersAndThePlots() {
        String md = report().markdown();

        assertThat(md).startsWith("# kiwo benchmark: isolation")
                .contains("| cores | 2 |", "| jdk | Temurin 25 |", "| mode | quick |", "## Light latency",
                        "![isolation-light-latency.png](isolation-light-latency.png)");
    }

    @Test
    void writesTheFiguresAsJsonAndPrintsTheSummary() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        report().write(dir, new PrintStream(printed, true, StandardCharsets.UTF_8));

        JsonNode json = JsonMapper.builder().build().readTree(dir.resolve(BenchReport.JSON_FILE).toFile());
        assertThat(json.path("experiment").asString()).isEqualTo("isolation");
        assertThat(json.path("machine").path("cores").asInt()).isEqualTo(2);
        assertThat(json.path("figures").path("ratios").path("sharedOverSplitDuring").asDouble()).isEqualTo(7.5);
        assertThat(Files.readString(dir.resolve(BenchReport.SUMMARY_FILE))).contains("## Light latency");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("# kiwo benchmark: isolation", dir.toString());
    }
}
