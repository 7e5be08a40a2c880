package dev.kiwo.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.kiwo.worker.retry.RetryTopicNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerPropertiesTest {

    private static final WorkerProperties.Cost COST = new WorkerProperties.Cost(1.0, 20, 5, 20, Duration.ofSeconds(30));
    private static final WorkerProperties.Retry RETRY = new WorkerProperties.Retry(3,
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(5)), 1);
    private static final WorkerProperties.Cancellation CANCELLATION =
            new WorkerProperties.Cancellation(Duration.ofSeconds(1));

    @Test
    void acceptsBothJobTopicsForASharedPool() {
        WorkerProperties properties = new WorkerProperties("shared", "w-1", List.of("jobs.light", "jobs.heavy"),
                Duration.ofSeconds(10), COST, RETRY, CANCELLATION);
        assertThat(properties.topics()).containsExactly("jobs.light", "jobs.heavy");
    }

    @Test
    void rejectsATopicThatDoesNotCarryClassifiedJobs() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties("light", "w-1",
                List.of("jobs.in"), Duration.ofSeconds(10), COST, RETRY, CANCELLATION)).withMessageContaining("jobs.in");
    }

    @Test
    void rejectsAPoolWithoutTopics() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties("light", "w-1",
                List.of(), Duration.ofSeconds(10), COST, RETRY, CANCELLATION));
    }

    @Test
    void namesTheInstanceAfterTheHostWhenNotSet() {
        WorkerProperties properties = new WorkerProperties("light", " ", List.of("jobs.light"),
                Duration.ofSeconds(10), COST, RETRY, CANCELLATION);
        assertThat(properties.instance()).isNotBlank();
    }

    @Test
    void rejectsANegativeScale() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Cost(-1, 20, 5, 20,
                Duration.ofSeconds(30))).withMessageContaining("scale");
    }

    @Test
    void waitsEachTierOnceThenRepeatsTheLongest() {
        WorkerProperties.Retry retry = new WorkerProperties.Retry(5, List.of(Duration.ofSeconds(1), Duration.ofMinutes(1)), 1);
        assertThat(retry.backOffs()).containsExactly(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                Duration.ofMinutes(1));
        assertThat(retry.tiers()).containsExactly(Duration.ofSeconds(1), Duration.ofMinutes(1));
    }

    @Test
    void usesOnlyTheTiersTheAttemptsReach() {
        assertThat(new WorkerProperties.Retry(2, RETRY.delays(), 1).tiers()).containsExactly(Duration.ofSeconds(1));
        assertThat(new WorkerProperties.Retry(1, RETRY.delays(), 1).backOffs()).isEmpty();
    }

    @Test
    void rejectsTiersThatAreNotStrictlyIncreasing() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Retry(3,
                List.of(Duration.ofSeconds(5), Duration.ofSeconds(5)), 1)).withMessageContaining("strictly increasing");
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Retry(3,
                List.of(Duration.ofSeconds(5), Duration.ofSeconds(1)), 1));
    }

    @Test
    void rejectsZeroAttempts() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Retry(0, RETRY.delays(), 1))
                .withMessageContaining("attempts");
    }

    @Test
    void namesRetryTopicsAfterTheirTier() {
        assertThat(RetryTopicNames.retryTopic("jobs.heavy", Duration.ofSeconds(10))).isEqualTo("jobs.heavy.retry-10s");
        assertThat(RetryTopicNames.retryTopic("jobs.light", Duration.ofMinutes(1))).isEqualTo("jobs.light.retry-1m");
        assertThat(RetryTopicNames.retryTopic("jobs.light", Duration.ofMillis(1500))).isEqualTo("jobs.light.retry-1500ms");
    }

    @Test
    void prefixesTransactionalIdsWithPoolAndInstance() {
        WorkerProperties properties = new WorkerProperties("heavy", "worker-heavy-7f9c", List.of("jobs.heavy"),
                Duration.ofSeconds(10), COST, RETRY, CANCELLATION);
        assertThat(properties.transactionIdPrefix()).isEqualTo("kiwo-worker-heavy-worker-heavy-7f9c-");
    }

    @Test
    void rejectsACatchUpTimeoutOfZero() {
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerProperties.Cancellation(Duration.ZERO))
                .withMessageContaining("catch-up-timeout");
    }
}
