package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    Path dir;

    @Test
    void drawsATimelineWithMarkersAsPng() throws Exception {
        Path file = dir.resolve("timeline.png");

        Charts.timeline(file, "latency", "s", "ms", List.of(
                new Charts.Line("each job", List.of(0.5, 1.5, 2.5), List.of(10.0, 900.0, 12.0), true),
                new Charts.Line("p99", List.of(1.0, 2.0), List.of(900.0, 12.0), false),
                new Charts.Line("nothing", List.of(), List.of(), false)),
                List.of(new Charts.Marker(1.0, "burst starts")), true);

        assertThat(Files.readAllBytes(file)).startsWith(PNG_SIGNATURE);
    }

    @Test
    void drawsGroupedBarsAsPng() throws Exception {
        Path file = dir.resolve("bars.png");

        Charts.bars(file, "throughput", "per second", List.of("pipe", "eos"), Map.of("records", List.of(5000.0, 2400.0)));

        assertThat(Files.readAllBytes(file)).startsWith(PNG_SIGNATURE);
    }
}
