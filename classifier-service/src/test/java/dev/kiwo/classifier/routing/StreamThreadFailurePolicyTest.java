package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailurePolicyTest {

    private static final StreamThreadExceptionResponse REPLACE_THREAD = StreamThreadExceptionResponse.REPLACE_THREAD;
    private static final StreamThreadExceptionResponse SHUTDOWN_CLIENT = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    private final StreamThreadFailurePolicy policy = new StreamThreadFailurePolicy(2, Duration.ofMinutes(10), clock);

    @Test
    void replacesUpToTheLimitWithinTheWindowThenShutsTheClientDown() {
        assertThat(policy.handle(new IllegalStateException("1"))).isEqualTo(REPLACE_THREAD);
        clock.advance(Duration.ofMinutes(1));
        assertThat(policy.handle(new IllegalStateException("2"))).isEqualTo(REPLACE_THREAD);
        clock.advance(Duration.ofMinutes(1));
        assertThat(policy.handle(new IllegalStateException("3"))).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void forgetsReplacementsOlderThanTheWindow() {
        assertThat(policy.handle(new IllegalStateException("1"))).isEqualTo(REPLACE_THREAD);
        assertThat(policy.handle(new IllegalStateException("2"))).isEqualTo(REPLACE_THREAD);
        clock.advance(Duration.ofMinutes(10));
        assertThat(policy.handle(new IllegalStateException("3"))).isEqualTo(REPLACE_THREAD);
    }

    @Test
    void shutsTheClientDownAtOnceOnAJvmError() {
        assertThat(policy.handle(new OutOfMemoryError("test"))).isEqualTo(SHUTDOWN_CLIENT);
    }
}
