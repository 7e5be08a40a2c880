package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProducerPerformanceRunTest {

    @Test
    void readsTheFinalLineNotTheProgressLines() {
        List<String> lines = List.of(
                "48421 records sent, 9684.2 records/sec (2.22 MB/sec), 812.3 ms avg latency, 1544.0 ms max latency.",
                "200000 records sent, 45045.045045 records/sec (10.74 MB/sec), 634.56 ms avg latency, 1602.00 ms max "
                        + "latency, 612 ms 50th, 1401 ms 95th, 1544 ms 99th, 1600 ms 99.9th.");

        ProducerPerformanceRun run = ProducerPerformanceRun.parse(lines).orElseThrow();

        assertThat(run.records()).isEqualTo(200_000);
        assertThat(run.recordsPerSecond()).isEqualTo(45045.045045);
        assertThat(run.p50Ms()).isEqualTo(612);
        assertThat(run.p95Ms()).isEqualTo(1401);
        assertThat(run.p99Ms()).isEqualTo(1544);
    }

    @Test
    void findsNothingWithoutAFinalLine() {
        assertThat(ProducerPerformanceRun.parse(List.of("Exception in thread main"))).isEmpty();
    }
}
