package dev.kiwo.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The final line of Kafka's {@code ProducerPerformance}, parsed. */
record ProducerPerformanceRun(long records, double recordsPerSecond, double avgMs, double maxMs, double p50Ms,
                              double p95Ms, double p99Ms) {

    static final String MAIN_CLASS = "org.apache.kafka.tools.ProducerPerformance";

    // e.g. "100000 records sent, 45045.0 records/sec (10.74 MB/sec), 1234.56 ms avg latency, 2000.00 ms max latency,
    // 1100 ms 50th, 1900 ms 95th, 1950 ms 99th, 1990 ms 99.9th."
    private static final Pattern FINAL = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\([\\d.]+ MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max "
                    + "latency, ([\\d.]+) ms 50th, ([\\d.]+) ms 95th, ([\\d.]+) ms 99th");

    static Optional<ProducerPerformanceRun> parse(List<String> lines) {
        Optional<ProducerPerformanceRun> last = Optional.empty();
        for (String line : lines) {
            Matcher m = FINAL.matcher(line);
            if (m.find()) {
                last = Optional.of(new ProducerPerformanceRun(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                        Double.parseDouble(m.group(6)), Double.parseDouble(m.group(7))));
            }
        }
        return last;
    }

    static ProducerPerformanceRun parse(Path log) throws java.io.IOException {
        return parse(Files.readAllLines(log)).orElseThrow(() -> new IllegalStateException(
                "ProducerPerformance printed no final figures; see " + log));
    }
}
