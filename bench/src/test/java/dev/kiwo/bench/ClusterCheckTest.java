package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A small recorded run: the load starts at 10:00:00 with a heavy burst from 20 s to 50 s; samples every 5 s from
 * 10 s before the load to 120 s after. worker-heavy's HPA wants 3 from 30 s and 5 from 40 s; two new heavy pods
 * come: b (Ready at 44 s, assigned jobs.heavy partitions) and c (Ready at 53 s, only a retry topic's partition);
 * the heavy pool peaks at 3 Ready pods from 55 s. worker-light's HPA stays at 2.
 */
class ClusterCheckTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final String HEADER = "epoch_ms,time,"
            + "worker_heavy_hpa_min,worker_heavy_hpa_max,worker_heavy_hpa_current,worker_heavy_hpa_desired,worker_heavy_hpa_cpu,"
            + "worker_light_hpa_min,worker_light_hpa_max,worker_light_hpa_current,worker_light_hpa_desired,worker_light_hpa_cpu,"
            + "api_hpa_min,api_hpa_max,api_hpa_current,api_hpa_desired,api_hpa_cpu,"
            + "api_ready,classifier_ready,worker_light_ready,worker_heavy_ready,kafka_ready,restarts,oomkilled";

    @TempDir
    Path dir;

    private IntFunction<Integer> lightDesired = t -> 2;
    private IntFunction<String> oomKilled = t -> "";
    private IntFunction<String> podPhase = t -> "Running";
    private Integer newPodsReadyAt;
    private String loadFigures;

    @BeforeEach
    void aPassingRun() {
        loadFigures = """
                {"startedAt":"2026-01-01T10:00:00Z","elapsedSeconds":90.2,"sent":390,"accepted":390,"rejected":0,
                 "errors":0,"byClass":{},
                 "results":{"light":{"expected":360,"completed":360,"failed":0,"endToEndMs":{}},
                            "heavy":{"expected":30,"completed":30,"failed":0,"endToEndMs":{}}},
                 "missing":0,"duplicates":0,
                 "lightPhases":{
                   "before":{"fromSeconds":0.0,"untilSeconds":20.0,"postMs":{"count":80,"p50":3.1,"p95":5.0,"p99":7.9,"max":9.0},
                             "endToEndMs":{"count":80,"p50":95.0,"p95":120.0,"p99":180.5,"max":200.0}},
                   "during":{"fromSeconds":20.0,"untilSeconds":50.0,"postMs":{"count":120,"p50":3.4,"p95":6.0,"p99":9.2,"max":12.0},
                             "endToEndMs":{"count":120,"p50":110.0,"p95":300.0,"p99":450.0,"max":500.0}},
                   "after":{"fromSeconds":50.0,"untilSeconds":90.0,"postMs":{"count":160},"endToEndMs":{"count":160}}},
                 "lightTimeline":[{"second":0,"requests":4,"postP50Ms":3.0,"postP99Ms":4.0,"finished":4,"endToEndP50Ms":90.0,"endToEndP99Ms":150.0},
                                  {"second":25,"requests":4,"postP50Ms":3.0,"postP99Ms":9.0,"finished":4,"endToEndP50Ms":100.0,"endToEndP99Ms":400.0},
                                  {"second":26,"requests":4,"postP50Ms":3.0,"postP99Ms":8.0,"finished":3,"endToEndP50Ms":null,"endToEndP99Ms":null}]}
                """;
    }

    @Test
    void aRunThatKeptThePromisePassesEveryCheckWithItsFigures() throws Exception {
        ClusterCheck.Outcome outcome = analyse();

        assertThat(outcome.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(outcome.passed()).isTrue();
        Map<String, Object> f = outcome.figures();
        assertThat(f).containsEntry("secondsToHeavyDesiredAboveMin", 10.0)
                .containsEntry("secondsToFirstNewHeavyPodReady", 24.0)
                .containsEntry("secondsToHeavyPeak", 35.0)
                .containsEntry("heavyReadyPeak", 3)
                .containsEntry("heavyHpaDesiredPeak", 5)
                .containsEntry("lightHpaDesiredPeak", 2)
                .containsEntry("restarts", 0)
                .containsEntry("newHeavyPods", List.of("worker-heavy-b", "worker-heavy-c"))
                .containsEntry("newHeavyPodPartitions", Map.of("worker-heavy-b", "jobs.heavy-3, jobs.heavy-4"));
        assertThat(outcome.table())
                .contains("| Burst start → worker-heavy HPA desired > min (1) | 10 s |")
                .contains("| Burst start → first new worker-heavy pod Ready | 24 s |")
                .contains("| worker-heavy peak: pods Ready / HPA desired / HPA max | 3 / 5 / 6 |")
                .contains("| Light end to end p50 / p99, before the burst | 95.0 / 181 ms (80 jobs) |")
                .contains("| Light end to end p50 / p99, during the burst | 110 / 450 ms (120 jobs) |")
                .contains("| Jobs completed (light, heavy); missing; duplicates | 360/360, 30/30; 0; 0 |");
    }

    @Test
    void writesTheTableTheFiguresAndTheChart() throws Exception {
        ClusterCheck.Outcome outcome = analyse();
        Path out = dir.resolve("out");

        ClusterCheck.write(outcome, ClusterSeries.read(dir.resolve("samples.csv"), dir.resolve("pods.csv")),
                ClusterCheck.loadSummary(dir.resolve("load.log")), out);

        assertThat(Files.readString(out.resolve("figures.md"))).contains("| Figure | Value |", "- ok: no container restarted");
        assertThat(Files.readString(out.resolve("figures.json"))).contains("\"secondsToFirstNewHeavyPodReady\" : 24.0");
        assertThat(Files.readAllBytes(out.resolve("timeline.png"))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void findsTheSummaryAsTheLastJsonLineOfTheJobLog() throws Exception {
        analyse();

        JsonNode summary = ClusterCheck.loadSummary(dir.resolve("load.log"));

        assertThat(summary.path("figures").path("sent").asLong()).isEqualTo(390);
        Files.writeString(dir.resolve("plain.log"), "== kiwo load summary ==\n{not json\n");
        assertThat(ClusterCheck.loadSummary(dir.resolve("plain.log"))).isNull();
    }

    @Test
    void theLightPoolLeavingItsMinimumOnceFails() throws Exception {
        lightDesired = t -> t == 45 ? 3 : 2;

        ClusterCheck.Outcome outcome = analyse();

        assertThat(failed(outcome)).containsExactly("worker-light's HPA stays at its minimum throughout");
        assertThat(outcome.passed()).isFalse();
    }

    @Test
    void anOomKillFails() throws Exception {
        oomKilled = t -> t >= 60 ? "worker-heavy-b/worker-heavy" : "";

        assertThat(failed(analyse())).containsExactly("no container was OOMKilled");
    }

    @Test
    void aPodThatWasReadyBeforeTheBurstDoesNotCount() throws Exception {
        newPodsReadyAt = -30;

        ClusterCheck.Outcome outcome = analyse();

        assertThat(failed(outcome)).containsExactly("a new worker-heavy pod becomes Ready after the burst starts",
                "a new worker-heavy pod is assigned jobs.heavy partitions");
    }

    @Test
    void anEvictedPodFails() throws Exception {
        podPhase = t -> t >= 70 ? "Failed" : "Running";

        assertThat(failed(analyse())).containsExactly("no pod failed or was evicted");
    }

    @Test
    void missingResultsAndUnfollowedResultsFail() throws Exception {
        loadFigures = loadFigures.replace("\"missing\":0", "\"missing\":2")
                .replace("\"expected\":30,\"completed\":30", "\"expected\":30,\"completed\":28");

        assertThat(failed(analyse())).containsExactly("every accepted job has exactly one result",
                "all light and heavy jobs completed");

        aPassingRun();
        loadFigures = loadFigures.replace("\"results\":", "\"notFollowed\":").replace("\"missing\":0,\"duplicates\":0,", "");
        assertThat(failed(analyse())).containsExactly("every accepted job has exactly one result",
                "all light and heavy jobs completed");
    }

    @Test
    void noSamplesIsAFailureNotAVacuousPass() throws Exception {
        ClusterCheck.Outcome outcome = analyse(0);

        assertThat(outcome.passed()).isFalse();
        assertThat(failed(outcome)).contains("the samples cover the run and the load had a burst",
                "worker-light's HPA stays at its minimum throughout", "no container restarted");
    }

    private ClusterCheck.Outcome analyse() throws Exception {
        return analyse(27);
    }

    /** Writes the recorded files for {@code rounds} samples (from -10 s, every 5 s) and analyses them. */
    private ClusterCheck.Outcome analyse(int rounds) throws Exception {
        List<String> samples = new ArrayList<>(List.of(HEADER));
        List<String> pods = new ArrayList<>(List.of("epoch_ms,pod,app,created,phase,ready,ready_since,restarts,oomkilled"));
        for (int i = 0; i < rounds; i++) {
            int t = -10 + 5 * i;
            long epoch = T0.toEpochMilli() + t * 1000L;
            int desired = t < 30 ? 1 : t < 40 ? 3 : 5;
            int heavyReady = t < 45 ? 1 : t < 55 ? 2 : 3;
            samples.add(String.join(",", String.valueOf(epoch), "t" + t,
                    "1", "6", String.valueOf(heavyReady), String.valueOf(desired), "240",
                    "2", "6", "2", String.valueOf(lightDesired.apply(t)), "30",
                    "1", "3", "1", "1", "12",
                    "1", "1", "2", String.valueOf(heavyReady), "1", "0", oomKilled.apply(t)));
            for (String p : List.of("api-a:api", "classifier-a:classifier", "worker-light-a:worker-light",
                    "worker-light-b:worker-light", "worker-heavy-a:worker-heavy", "kafka-0:kafka")) {
                String[] nameApp = p.split(":");
                pods.add(pod(epoch, nameApp[0], nameApp[1], -600, true, -590, ""));
            }
            if (t >= 35) {
                pods.add(pod(epoch, "worker-heavy-b", "worker-heavy", 35, t >= 45,
                        newPodsReadyAt == null ? 44 : newPodsReadyAt, oomKilled.apply(t)));
            }
            if (t >= 40) {
                pods.add(pod(epoch, "worker-heavy-c", "worker-heavy", 40, t >= 55,
                        newPodsReadyAt == null ? 53 : newPodsReadyAt, "")
                        .replace(",Running,", "," + podPhase.apply(t) + ","));
            }
        }
        Files.write(dir.resolve("samples.csv"), samples);
        Files.write(dir.resolve("pods.csv"), pods);
        Files.writeString(dir.resolve("load.log"), "load: http://api:8080 for 90s\n[ 5.0s] send sent=20\n"
                + "== kiwo load summary ==\nmissing          0\n"
                + "{\"plan\":{\"lightRate\":4.0},\"figures\":" + loadFigures.replace("\n", "") + "}\n");
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("worker-heavy-b.log"), "{\"message\":\"kiwo-worker-heavy-retry-1s: partitions "
                + "assigned: [jobs.heavy.retry-1s-0]\"}\n{\"message\":\"kiwo-worker-heavy: partitions assigned: "
                + "[jobs.heavy-3, jobs.heavy-4]\"}\n");
        Files.writeString(logs.resolve("worker-heavy-c.log"), "{\"message\":\"x: partitions assigned: [jobs.heavy.retry-5s-0]\"}\n"
                + "{\"message\":\"kiwo-worker-heavy: partitions assigned: []\"}\n");
        return ClusterCheck.analyse(ClusterSeries.read(dir.resolve("samples.csv"), dir.resolve("pods.csv")),
                ClusterCheck.loadSummary(dir.resolve("load.log")), ClusterCheck.podLogs(logs));
    }

    private static String pod(long epoch, String name, String app, int createdAt, boolean ready, int readyAt,
                              String oom) {
        return String.join(",", String.valueOf(epoch), name, app, T0.plusSeconds(createdAt).toString(), "Running",
                ready ? "True" : "False", ready ? T0.plusSeconds(readyAt).toString() : "", "0", oom);
    }

    private static List<String> failed(ClusterCheck.Outcome outcome) {
        return outcome.checks().stream().filter(c -> !c.passed()).map(ClusterCheck.Check::name).toList();
    }
}
