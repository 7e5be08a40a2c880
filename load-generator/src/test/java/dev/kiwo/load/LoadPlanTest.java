package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadPlanTest {

    @Test
    void defaultsDescribeAShortMixedLoadAgainstTheLocalApi() {
        LoadPlan plan = LoadPlan.parse();

        assertThat(plan.target()).hasToString("http://localhost:8080");
        assertThat(plan.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plan.warmup()).isZero();
        assertThat(plan.lightRate()).isEqualTo(40);
        assertThat(plan.bootstrapServers()).isNull();
        assertThat(plan.completion()).isEqualTo(LoadPlan.Completion.NONE);
        assertThat(plan.watchers()).isEqualTo(256);
    }

    @Test
    void completionIsKafkaWithBootstrapServersUnlessApiIsAskedFor() {
        assertThat(LoadPlan.parse("--bootstrap-servers", "kafka:9092").completion())
                .isEqualTo(LoadPlan.Completion.KAFKA);
        assertThat(LoadPlan.parse("--completion", "API", "--watchers", "8"))
                .extracting(LoadPlan::completion, LoadPlan::watchers).containsExactly(LoadPlan.Completion.API, 8);
        assertThat(LoadPlan.parse("--completion", "kafka", "--bootstrap-servers", "h:1").bootstrapServers())
                .isEqualTo("h:1");
    }

    @Test
    void readsEveryOption() {
        LoadPlan plan = LoadPlan.parse("--target", "http://127.0.0.1:9000", "--warmup", "15s", "--duration", "2m",
                "--light-rate", "5",
                "--heavy-rate", "1.5", "--burst-at", "500ms", "--burst-for", "0s", "--burst-heavy-rate", "9",
                "--concurrency", "3", "--seed", "7", "--bootstrap-servers", "localhost:9092", "--json", "out.json");

        assertThat(plan.warmup()).isEqualTo(Duration.ofSeconds(15));
        assertThat(plan.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(plan.heavyRate()).isEqualTo(1.5);
        assertThat(plan.burstAt()).isEqualTo(Duration.ofMillis(500));
        assertThat(plan.burstFor()).isZero();
        assertThat(plan.concurrency()).isEqualTo(3);
        assertThat(plan.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(plan.jsonReport()).isEqualTo("out.json");
    }

    @Test
    void rejectsBadOptionsWithAMessageNamingThem() {
        assertThatThrownBy(() -> LoadPlan.parse("--rate", "5")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadPlan.parse("--duration", "ten")).hasMessageContaining("not a duration: ten");
        assertThatThrownBy(() -> LoadPlan.parse("--warmup", "-1s")).hasMessageContaining("not a duration: -1s");
        assertThatThrownBy(() -> LoadPlan.parse("--duration")).hasMessageContaining("Missing required parameter");
        assertThatThrownBy(() -> LoadPlan.parse("--light-rate", "-1")).hasMessageContaining("rates");
        assertThatThrownBy(() -> LoadPlan.parse("--light-rate", "0", "--burst-heavy-rate", "0"))
                .hasMessageContaining("at least one rate");
        assertThatThrownBy(() -> LoadPlan.parse("--target", "ftp://x")).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> LoadPlan.parse("--completion", "sse")).hasMessageContaining("[API, KAFKA, NONE]");
        assertThatThrownBy(() -> LoadPlan.parse("--completion", "kafka"))
                .hasMessageContaining("--completion kafka needs --bootstrap-servers");
        assertThatThrownBy(() -> LoadPlan.parse("--completion", "api", "--bootstrap-servers", "h:1"))
                .hasMessageContaining("only with --completion kafka");
        assertThatThrownBy(() -> LoadPlan.parse("--watchers", "0")).hasMessageContaining("--watchers");
        assertThatThrownBy(() -> LoadPlan.parse("--api-key", "two words")).hasMessageContaining("--api-key");
    }

    @Test
    void takesBothOptionSyntaxesAndTheLastOfARepeatedOption() {
        // demo.sh load passes its defaults, then the caller's flags; the Kubernetes Job appends KIWO_LOAD_ARGS
        // after its own --target
        LoadPlan local = LoadPlan.parse("--target", "http://localhost:8080", "--completion", "api", "--duration",
                "30s", "--light-rate", "10", "--burst-at", "10s", "--burst-for", "10s", "--burst-heavy-rate", "1",
                "--drain-timeout", "120s", "--duration=60s", "--burst-heavy-rate", "2");
        LoadPlan inCluster = LoadPlan.parse("--target", "http://api:8080", "--warmup", "10s", "--duration", "90s",
                "--light-rate", "3", "--heavy-rate", "0", "--burst-at", "20s", "--burst-for", "30s",
                "--burst-heavy-rate", "1", "--bootstrap-servers", "kafka:9092", "--drain-timeout", "300s", "--json",
                "-");

        assertThat(local.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(local.burstHeavyRate()).isEqualTo(2);
        assertThat(local.completion()).isEqualTo(LoadPlan.Completion.API);
        assertThat(inCluster.jsonReport()).isEqualTo(LoadGenerator.STDOUT);
        assertThat(inCluster.completion()).isEqualTo(LoadPlan.Completion.KAFKA);
        assertThat(inCluster.warmup()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theApiKeyComesFromTheOptionElseFromKiwoApiKey() {
        Map<String, String> environment = Map.of("KIWO_API_KEY", "from-the-secret-0123");

        assertThat(LoadPlan.parse(environment).apiKey()).isEqualTo("from-the-secret-0123");
        assertThat(LoadPlan.parse(environment, "--api-key", "given-on-the-line-0123").apiKey())
                .isEqualTo("given-on-the-line-0123");
        assertThat(LoadPlan.parse(Map.of("KIWO_API_KEY", " ")).apiKey()).as("blank is none").isNull();
        assertThat(LoadPlan.parse(Map.of()).apiKey()).isNull();
    }
}
