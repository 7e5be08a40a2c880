package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobErrorCode;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A 10 s run with a burst from 4 s to 7 s and one light job per second, due at 0.5 s, 1.5 s, ...: four before the
 * burst, three during, three after. End to end they take 100 ms before, 900 ms during and 200 ms after; their POSTs
 * take 2, 20 and 3 ms. One light job has no result, one failed, and a heavy job is not a light one.
 */
class LightLatencyTest {

    private static final Instant START = Instant.parse("2026-01-01T10:00:00Z");

    private final LoadPlan plan = LoadPlan.parse("--duration", "10s", "--light-rate", "1", "--burst-at", "4s",
            "--burst-for", "3s", "--burst-heavy-rate", "2");
    private final Map<String, JobClass> accepted = new HashMap<>();
    private final Map<String, Long> due = new HashMap<>();
    private final List<LoadRun.Timed> post = new ArrayList<>();
    private final Map<String, JobResult> results = new HashMap<>();

    LightLatencyTest() {
        for (int i = 0; i < 10; i++) {
            double at = i + 0.5;
            long e2eMs = at < 4 ? 100 : at < 7 ? 900 : 200;
            long postMicros = at < 4 ? 2_000 : at < 7 ? 20_000 : 3_000;
            String id = "light-" + i;
            post.add(new LoadRun.Timed((long) (at * 1e9), postMicros));
            accepted.put(id, JobClass.LIGHT);
            due.put(id, (long) (at * 1e9));
            if (i != 9) {
                results.put(id, result(id, JobClass.LIGHT, at, e2eMs, i == 8 ? JobStatus.FAILED : JobStatus.SUCCEEDED));
            }
        }
        accepted.put("heavy-0", JobClass.HEAVY);
        due.put("heavy-0", 4_500_000_000L);
        results.put("heavy-0", result("heavy-0", JobClass.HEAVY, 4.5, 60_000, JobStatus.SUCCEEDED));
    }

    @Test
    void placesLightJobsInThePhasesAroundTheBurstByWhenTheyWereDue() {
        LightLatency light = LightLatency.of(plan, sendReport(), finished());

        Map<String, Object> phases = light.phases();
        assertThat(phases).containsOnlyKeys("before", "during", "after");
        assertThat(phase(phases, "before")).containsEntry("fromSeconds", 0.0).containsEntry("untilSeconds", 4.0);
        assertThat(phase(phases, "during")).containsEntry("fromSeconds", 4.0).containsEntry("untilSeconds", 7.0);
        assertThat(phase(phases, "after")).containsEntry("fromSeconds", 7.0).containsEntry("untilSeconds", 10.0);

        assertThat(figure(phases, "before", "postMs", "count")).isEqualTo(4L);
        assertThat(figure(phases, "during", "postMs", "count")).isEqualTo(3L);
        assertThat(figure(phases, "after", "postMs", "count")).isEqualTo(3L);
        assertThat((double) figure(phases, "before", "postMs", "p99")).isCloseTo(2.0, within(0.01));
        assertThat((double) figure(phases, "during", "postMs", "p50")).isCloseTo(20.0, within(0.05));

        // End to end: the failed job still finished; the one without a result is not there; the heavy one never is.
        assertThat(figure(phases, "before", "endToEndMs", "count")).isEqualTo(4L);
        assertThat(figure(phases, "during", "endToEndMs", "count")).isEqualTo(3L);
        assertThat(figure(phases, "after", "endToEndMs", "count")).isEqualTo(2L);
        assertThat((double) figure(phases, "before", "endToEndMs", "p50")).isCloseTo(100.0, within(0.1));
        assertThat((double) figure(phases, "before", "endToEndMs", "p99")).isCloseTo(100.0, within(0.1));
        assertThat((double) figure(phases, "during", "endToEndMs", "p99")).isCloseTo(900.0, within(1.0));
        assertThat((double) figure(phases, "after", "endToEndMs", "p99")).isCloseTo(200.0, within(0.2));
    }

    @Test
    void keepsOneEntryPerSecondForTheTimeline() {
        List<Map<String, Object>> timeline = LightLatency.of(plan, sendReport(), finished()).timeline();

        assertThat(timeline).extracting(e -> e.get("second")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        Map<String, Object> fifth = timeline.get(5);
        assertThat(fifth).containsEntry("requests", 1L).containsEntry("finished", 1L);
        assertThat((double) fifth.get("endToEndP99Ms")).isCloseTo(900.0, within(1.0));
        assertThat((double) fifth.get("postP50Ms")).isCloseTo(20.0, within(0.05));
        Map<String, Object> last = timeline.get(9);
        assertThat(last).containsEntry("finished", 0L).containsEntry("endToEndP99Ms", null);
    }

    @Test
    void withoutResultsReportsOnlyThePostLatency() {
        LightLatency light = LightLatency.of(plan, sendReport(), null);

        assertThat(phase(light.phases(), "during")).containsOnlyKeys("fromSeconds", "untilSeconds", "postMs");
        assertThat(light.timeline().get(0)).doesNotContainKeys("finished", "endToEndP99Ms");
        assertThat(light.lines().get("light during")).isEqualTo("4s-7s: POST p50 20.0ms p99 20.0ms (3 sent)");
    }

    @Test
    void withoutABurstEveryJobIsBefore() {
        LoadPlan noBurst = LoadPlan.parse("--duration", "10s", "--light-rate", "1", "--burst-for", "0s");

        Map<String, Object> phases = LightLatency.of(noBurst, sendReport(), finished()).phases();

        assertThat(figure(phases, "before", "postMs", "count")).isEqualTo(10L);
        assertThat(figure(phases, "during", "postMs", "count")).isEqualTo(0L);
        assertThat(phase(phases, "during")).containsEntry("fromSeconds", 10.0);
    }

    @Test
    void theSummaryKeepsItsLinesAndAddsOnePerPhaseAndTheFiguresForJson() {
        Report report = new Report(plan, sendReport(),
                new CompletionWatch.Outcome(LoadPlan.Completion.KAFKA, finished(), 0L, Map.of(), Set.of(), Map.of()));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);

        assertThat(text).contains("== kiwo load summary ==", "\nlatency ", "\nresults light    9/10 completed",
                "\nmissing          1\n", "\nduplicates       0\n");
        assertThat(text).contains("\nlight before     0s-4s: POST p50 2.0ms p99 2.0ms, end to end p50 100.0ms p99 100.0ms"
                + " (4 sent, 4 finished)\n");
        assertThat(text).contains("\nlight during     4s-7s: POST p50 20.0ms p99 20.0ms, end to end p50 ");
        assertThat(text.indexOf("light before")).isGreaterThan(text.indexOf("duplicates"));

        Map<String, Object> figures = report.figures();
        assertThat(figures).containsEntry("startedAt", START.toString()).containsKeys("lightPhases", "lightTimeline");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> byClass = (Map<String, Map<String, Object>>) figures.get("results");
        assertThat(byClass.get("light")).containsEntry("expected", 10L).containsEntry("completed", 9L)
                .containsEntry("failed", 1L);
        assertThat(byClass.get("heavy")).containsEntry("completed", 1L).containsEntry("failed", 0L);
    }

    private Map<String, Finished> finished() {
        Map<String, Finished> finished = new HashMap<>();
        results.forEach((id, result) -> finished.put(id, Finished.of(result)));
        return finished;
    }

    private LoadRun.SendReport sendReport() {
        Map<JobClass, LoadRun.Counts> byClass = new EnumMap<>(JobClass.class);
        for (JobClass c : JobClass.values()) {
            byClass.put(c, new LoadRun.Counts());
        }
        byClass.get(JobClass.LIGHT).sent.add(10);
        byClass.get(JobClass.LIGHT).accepted.add(10);
        byClass.get(JobClass.HEAVY).sent.add(1);
        byClass.get(JobClass.HEAVY).accepted.add(1);
        Histogram latency = new Histogram(3);
        post.forEach(t -> latency.recordValue(t.micros()));
        return new LoadRun.SendReport(Duration.ofSeconds(10), byClass, 0, Map.of(), latency, Map.copyOf(accepted),
                START, List.copyOf(post), Map.copyOf(due));
    }

    private static JobResult result(String id, JobClass c, double dueSeconds, long e2eMs, JobStatus status) {
        Instant submitted = START.plusMillis((long) (dueSeconds * 1000) + 5);
        Instant finished = submitted.plusMillis(e2eMs);
        return new JobResult(id, c, status, c.name().toLowerCase(), "pod", submitted, submitted, submitted, finished,
                e2eMs, status == JobStatus.FAILED ? "boom" : null,
                status == JobStatus.FAILED ? JobErrorCode.PROCESSING_FAILED : null, 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> phase(Map<String, Object> phases, String name) {
        return (Map<String, Object>) phases.get(name);
    }

    @SuppressWarnings("unchecked")
    private static Object figure(Map<String, Object> phases, String phase, String latency, String key) {
        return ((Map<String, Object>) phase(phases, phase).get(latency)).get(key);
    }
}
