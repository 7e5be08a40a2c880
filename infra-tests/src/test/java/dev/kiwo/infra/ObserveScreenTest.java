package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code demo.sh observe} in local mode (scripts/lib/observe.sh, {@code observe_local --once}) against a
 * loopback HTTP server that plays the four services: the first scrape of each is empty (just started),
 * the next is the real snapshot, so the screen's rates and p95 cover exactly the snapshot's jobs.
 */
class ObserveScreenTest {

    private static final Pattern BUCKET = Pattern.compile(
            "^kiwo_worker_processing_seconds_bucket\\{pool=\"light\",le=\"([^\"]+)\"} (\\S+)$");

    private final Map<String, Integer> requests = new ConcurrentHashMap<>();
    private HttpServer server;

    @BeforeEach
    void startFakeServices() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        for (String service : MetricsSnapshot.SERVICES) {
            byte[] scrape = Files.readAllBytes(snapshot(service));
            server.createContext("/" + service + "/actuator/prometheus", exchange -> {
                byte[] body = requests.merge(service, 1, Integer::sum) == 1 ? new byte[0] : scrape;
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.start();
    }

    @AfterEach
    void stopFakeServices() {
        server.stop(0);
    }

    @Test
    void showsEachPoolsRateAndP95TheClassifiersSplitAndTheApisRate() throws IOException {
        Tools.requireBash();
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60), List.of("bash", "-c",
                "export KIWO_OBSERVE_INTERVAL=1 KIWO_OBSERVE_API=" + base + "api KIWO_OBSERVE_CLASSIFIER=" + base
                        + "classifier KIWO_OBSERVE_WORKER_LIGHT=" + base + "worker-light KIWO_OBSERVE_WORKER_HEAVY=" + base
                        + "worker-heavy; source scripts/lib/observe.sh; observe_local --once"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        String screen = result.output();
        assertThat(screen).contains("round 1/1").contains("classifier    light 50% of jobs").contains("202 ").contains("400 ");
        List<String> light = row(screen, "worker-light");
        // POOL PODS HPA CPU LAG JOBS/S DEAD/S PROC-P95 E2E-P95
        assertThat(light.get(1)).isEqualTo("up");
        assertThat(light.get(2)).as("no autoscaler in local mode").isEqualTo("-");
        assertThat(light.get(4)).isEqualTo("0");
        assertThat(Double.parseDouble(light.get(5))).as("6 light jobs over about a second").isBetween(1.0, 6.1);
        assertThat(light.get(7)).isEqualTo(expectedLightProcessingP95() + "s");
        assertThat(row(screen, "worker-heavy").get(8)).matches("[0-9]+\\.[0-9]{3}s");
        assertThat(requests.keySet()).isEqualTo(Set.copyOf(MetricsSnapshot.SERVICES));
    }

    @Test
    void rejectsUnknownArguments() {
        Tools.requireBash();
        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(30), List.of("bash", "-c",
                "source scripts/lib/observe.sh; observe_local --forever"));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("unknown argument: --forever");
        assertThat(requests).isEmpty();
    }

    /** histogram_quantile(0.95) over the snapshot's light processing buckets, as Prometheus computes it. */
    private static String expectedLightProcessingP95() throws IOException {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : Files.readAllLines(snapshot("worker-light"), StandardCharsets.UTF_8)) {
            Matcher m = BUCKET.matcher(line);
            if (m.matches()) {
                buckets.put("+Inf".equals(m.group(1)) ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                        Double.parseDouble(m.group(2)));
            }
        }
        double rank = 0.95 * buckets.lastEntry().getValue();
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            if (bucket.getValue() >= rank) {
                double q = lower + (bucket.getKey() - lower) * (rank - below) / (bucket.getValue() - below);
                return BigDecimal.valueOf(q).setScale(3, RoundingMode.HALF_UP).toPlainString();
            }
            lower = bucket.getKey();
            below = bucket.getValue();
        }
        throw new AssertionError("no light processing buckets in the snapshot");
    }

    private static List<String> row(String screen, String pool) {
        return screen.lines().filter(l -> l.startsWith(pool + " ")).findFirst()
                .map(l -> new ArrayList<>(List.of(l.trim().split("\\s+"))))
                .orElseThrow(() -> new AssertionError("no row for " + pool + " in:\n" + screen));
    }

    private static Path snapshot(String service) {
        return Repo.root().resolve("infra-tests/src/test/resources/metrics/" + service + ".prom");
    }
}
