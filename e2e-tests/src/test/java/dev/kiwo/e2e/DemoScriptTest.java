package dev.kiwo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's first command as a user runs it: {@code demo.sh local} starts a broker and the four services
 * on the documented ports, the API accepts a job, and {@code demo.sh stop} leaves no process behind.
 */
class DemoScriptTest {

    private static final Path ROOT = Path.of(System.getProperty("kiwo.root.dir", "..")).toAbsolutePath().normalize();
    private static final Path RUN_DIR = Path.of(System.getProperty("kiwo.logs.dir", "target"), "demo-run")
            .toAbsolutePath();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Integer> PORTS = List.of(9092, 9093, 8080, 8081, 8082, 8083, 8180);

    @Test
    void localModeStartsServesAndStopsCleanly() throws Exception {
        assertThat(PORTS).as("ports local mode needs must be free before this test").noneMatch(DemoScriptTest::listening);
        try {
            Result local = demo(Duration.ofMinutes(5), "local");
            assertThat(local.exitCode()).as(local.output()).isZero();
            assertThat(local.output()).contains("kiwo runs locally", "http://localhost:8080/jobs");

            HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(URI.create("http://localhost:8080/jobs"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"report.pdf\",\"fileSizeMb\":120,\"pageCount\":10,\"imageCount\":3}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(accepted.body()).contains("\"status\":\"ACCEPTED\"");

            Result status = demo(Duration.ofSeconds(30), "status");
            assertThat(status.output()).contains("kafka", "api", "classifier", "worker-light", "worker-heavy")
                    .doesNotContain("stopped", "starting");

            // A routing change applies to the next job, live: 10 pages are heavy at pageCount=5, light again after.
            Result show = demo(Duration.ofSeconds(60), "routing", "show");
            assertThat(show.exitCode()).as(show.output()).isZero();
            assertThat(show.output()).contains("version=", "pageCount=200", "mode=rule");
            Result lowered = demo(Duration.ofSeconds(60), "routing", "set", "pageCount=5", "--by", "e2e");
            try {
                assertThat(lowered.exitCode()).as(lowered.output()).isZero();
                assertThat(routedAs(10, "HEAVY")).isEqualTo("HEAVY");
            } finally {
                Result restored = demo(Duration.ofSeconds(60), "routing", "set", "pageCount=200", "--by", "e2e");
                assertThat(restored.exitCode()).as(restored.output()).isZero();
            }
            assertThat(routedAs(10, "LIGHT")).isEqualTo("LIGHT");

            Result again = demo(Duration.ofSeconds(30), "local");
            assertThat(again.exitCode()).isNotZero();
            assertThat(again.output()).contains("already runs");
        } finally {
            List<Long> pids = startedPids();
            Result stop = demo(Duration.ofMinutes(2), "stop");
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            assertThat(pids).as("pids local mode started").isNotEmpty()
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
            assertThat(PORTS).noneMatch(DemoScriptTest::listening);
        }
    }

    /**
     * Posts small jobs of this many pages until one's status shows it routed {@code expected} (a change reaches the
     * classifier within seconds), for at most 30 s; returns the class of the last one routed, null if none was.
     */
    private static String routedAs(int pageCount, String expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create("http://localhost:8080/jobs"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"fileSizeMb\":1,\"pageCount\":" + pageCount + ",\"imageCount\":0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            String jobId = JSON.readTree(posted.body()).path("jobId").asString();
            for (int i = 0; i < 40; i++) {
                HttpResponse<String> status = client.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:8080/jobs/" + jobId)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode jobClass = status.statusCode() == 200 ? JSON.readTree(status.body()).get("jobClass") : null;
                if (jobClass != null && !jobClass.isNull()) {
                    last = jobClass.asString();
                    break;
                }
                Thread.sleep(250);
            }
        }
        return last;
    }

    private static List<Long> startedPids() throws IOException {
        Path pids = RUN_DIR.resolve("pids");
        if (!Files.isDirectory(pids)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(pids)) {
            return files.map(DemoScriptTest::readPid).toList();
        }
    }

    private static long readPid(Path file) {
        try {
            // The pid, then when the system says the process started.
            return Long.parseLong(Files.readAllLines(file).get(0).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result demo(Duration timeout, String... args) throws Exception {
        Path output = Files.createTempFile("demo", ".log");
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("scripts/demo.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("KIWO_RUN_DIR", RUN_DIR.toString());
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("demo.sh " + String.join(" ", args) + " did not finish in " + timeout
                    + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String output) {
    }
}
