package dev.kiwo.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.Topics;
import dev.kiwo.testsupport.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The watch's memory, fed directly: its Kafka side runs in the integration tests. */
class CancellationWatchTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final Duration RETENTION = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(NOW);
    private final CancellationWatch watch = new CancellationWatch(purpose -> {
        throw new AssertionError("never started");
    }, RETENTION, Duration.ofSeconds(1), clock);

    @Test
    void forgetsRequestsOnceTheyAreOlderThanTheRetention() {
        String recent = jobId();
        String older = jobId();
        String expired = jobId();
        watch.accept(new JobCancellation(recent, NOW.minus(Duration.ofMinutes(10))));
        watch.accept(new JobCancellation(older, NOW.minus(Duration.ofMinutes(50))));
        // Already past the retention when read (a restart reading the topic's tail end): never kept.
        watch.accept(new JobCancellation(expired, NOW.minus(Duration.ofMinutes(61))));

        assertThat(watch.requestedAt(recent)).isEqualTo(NOW.minus(Duration.ofMinutes(10)));
        assertThat(watch.requestedAt(older)).isEqualTo(NOW.minus(Duration.ofMinutes(50)));
        assertThat(watch.requestedAt(expired)).isNull();

        clock.advance(Duration.ofMinutes(20));
        watch.expire();

        assertThat(watch.requestedAt(recent)).isEqualTo(NOW.minus(Duration.ofMinutes(10)));
        assertThat(watch.requestedAt(older)).isNull();
    }

    @Test
    void keepsTheFirstRequestOfAJobCancelledTwice() {
        String jobId = jobId();
        watch.accept(new JobCancellation(jobId, NOW.minusSeconds(5)));
        watch.accept(new JobCancellation(jobId, NOW));
        watch.accept(new JobCancellation(jobId, NOW.minusSeconds(2)));

        assertThat(watch.requestedAt(jobId)).isEqualTo(NOW.minusSeconds(5));
    }

    @Test
    void readsRequestsFromRecordsWithdrawsThemOnATombstoneAndSkipsUnreadableOnes() {
        String jobId = jobId();
        String garbled = jobId();
        watch.accept(record(jobId, Topics.JOBS_CANCELLATIONS.valueSerde().serializer()
                .serialize(Topics.JOBS_CANCELLATIONS.name(), new JobCancellation(jobId, NOW))));
        watch.accept(record(garbled, "not json".getBytes(StandardCharsets.UTF_8)));

        assertThat(watch.requestedAt(jobId)).isEqualTo(NOW);
        assertThat(watch.requestedAt(garbled)).isNull();

        watch.accept(record(jobId, null));

        assertThat(watch.requestedAt(jobId)).isNull();
    }

    @Test
    void waitsUntilItHasReadUpToAnInstantOrTheTimeoutPasses() throws Exception {
        watch.caughtUpAsOf(NOW);

        assertThat(watch.awaitCaughtUpTo(NOW, Duration.ZERO)).isTrue();
        assertThat(watch.awaitCaughtUpTo(NOW.plusMillis(1), Duration.ofMillis(50))).isFalse();

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                () -> watch.awaitCaughtUpTo(NOW.plusSeconds(1), Duration.ofSeconds(30)));
        watch.caughtUpAsOf(NOW.plusSeconds(2));

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
        // Progress never goes back.
        watch.caughtUpAsOf(NOW);
        assertThat(watch.awaitCaughtUpTo(NOW.plusSeconds(2), Duration.ZERO)).isTrue();
    }

    private static ConsumerRecord<String, byte[]> record(String key, byte[] value) {
        return new ConsumerRecord<>(Topics.JOBS_CANCELLATIONS.name(), 0, 0, key, value);
    }

    private static String jobId() {
        return UUID.randomUUID().toString();
    }
}
