package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerPropertiesTest {

    private static final WorkerProperties.Cost COST = new WorkerProperties.Cost(1.0, 20, 5, 20, Duration.ofSeconds(30));
    private static final WorkerProperties.Retry RETRY = new WorkerProperties.Retry(Duration.ofMillis(500), 2);

    @Test
    void acceptsBothJobTopicsForASharedPool() {
        WorkerProperties properties = new WorkerProperties("shared", "w-1", List.of("jobs.light", "jobs.heavy"),
                Duration.ofSeconds(10), COST, RETRY);
        assertThat(properties.topics()).containsExactly("jobs.light", "jobs.heavy");
    }

    @Test
    void rejectsATopicThatDoesNotCarryClassifiedJobs() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties("light", "w-1",
                List.of("jobs.in"), Duration.ofSeconds(10), COST, RETRY)).withMessageContaining("jobs.in");
    }

    @Test
    void rejectsAPoolWithoutTopics() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties("light", "w-1",
                List.of(), Duration.ofSeconds(10), COST, RETRY));
    }

    @Test
    void namesTheInstanceAfterTheHostWhenNotSet() {
        WorkerProperties properties = new WorkerProperties("light", " ", List.of("jobs.light"),
                Duration.ofSeconds(10), COST, RETRY);
        assertThat(properties.instance()).isNotBlank();
    }

    @Test
    void rejectsANegativeScale() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Cost(-1, 20, 5, 20,
                Duration.ofSeconds(30))).withMessageContaining("scale");
    }
}
