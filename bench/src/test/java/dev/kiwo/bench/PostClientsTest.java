package dev.kiwo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostClientsTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aBatchIsOneLightJobPerLine() {
        String[] lines = new String(PostClients.ndjson(3), StandardCharsets.UTF_8).split("\n");

        assertThat(lines).containsExactly(
                "{\"name\":\"light-0000.pdf\",\"fileSizeMb\":1.05,\"pageCount\":5,\"imageCount\":1}",
                "{\"name\":\"light-0001.pdf\",\"fileSizeMb\":1.05,\"pageCount\":5,\"imageCount\":1}",
                "{\"name\":\"light-0002.pdf\",\"fileSizeMb\":1.05,\"pageCount\":5,\"imageCount\":1}");
    }

    @Test
    void countsAcceptedAndRejectedLinesOfEveryMeasuredBatch() throws Exception {
        // Answers like the API: every line accepted but the second, which is rejected.
        URI target = serve(200, body -> {
            int lines = body.split("\n").length;
            StringBuilder answer = new StringBuilder();
            for (int line = 1; line <= lines; line++) {
                answer.append(line == 2
                        ? "{\"line\":2,\"status\":400,\"errors\":[]}\n"
                        : "{\"line\":" + line + ",\"jobId\":\"j" + line + "\",\"status\":\"ACCEPTED\"}\n");
            }
            return answer.toString();
        });

        PostClients.Result result = PostClients.batches(target, 2, 10)
                .run(Duration.ofMillis(100), Duration.ofMillis(500), QUIET);

        assertThat(contentTypes).isNotEmpty().allMatch("application/x-ndjson"::equals);
        assertThat(result.errors()).isZero();
        assertThat(result.requests()).isPositive();
        assertThat(result.jobs()).isEqualTo(9 * result.requests());
        assertThat(result.rejected()).isEqualTo(result.requests());
        assertThat(result.latencyMs().count()).isEqualTo((int) result.requests());
        assertThat(result.elapsedSeconds()).isBetween(0.4, 5.0);
        assertThat(result.jobsPerSecond()).isEqualTo(result.jobs() / result.elapsedSeconds());
    }

    @Test
    void countsOneJobPerAcceptedSingleJobPost() throws Exception {
        URI target = serve(202, body -> "{\"jobId\":\"j\",\"status\":\"ACCEPTED\"}");

        PostClients.Result result = PostClients.singleJobs(target, 3)
                .run(Duration.ZERO, Duration.ofMillis(300), QUIET);

        assertThat(contentTypes).isNotEmpty().allMatch("application/json"::equals);
        assertThat(result.errors()).isZero();
        assertThat(result.requests()).isPositive();
        assertThat(result.jobs()).isEqualTo(result.requests());
        assertThat(result.requestsPerSecond()).isEqualTo(result.jobsPerSecond());
    }

    @Test
    void aFailedRequestIsAnErrorAndCountsNoJobs() throws Exception {
        URI target = serve(503, body -> "{\"status\":503}");

        PostClients.Result result = PostClients.batches(target, 1, 5)
                .run(Duration.ZERO, Duration.ofMillis(300), QUIET);

        assertThat(result.requests()).isZero();
        assertThat(result.jobs()).isZero();
        assertThat(result.errors()).isPositive();
        assertThat(result.errorKinds()).containsOnlyKeys("HTTP 503");
    }

    private interface Answer {
        String to(String body);
    }

    private URI serve(int status, Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        HttpHandler handler = exchange -> {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] bytes = answer.to(body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        };
        server.createContext("/jobs", handler);
        server.start();
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }
}
