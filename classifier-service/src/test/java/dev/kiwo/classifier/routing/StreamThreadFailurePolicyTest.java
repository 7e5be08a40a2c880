package dev.kiwo.classifier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailurePolicyTest {

    private static final StreamThreadExceptionResponse REPLACE_THREAD = StreamThreadExceptionResponse.REPLACE_THREAD;
    private static final StreamThreadExceptionResponse SHUTDOWN_CLIENT = StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

    private final SteppedClock clock = new SteppedClock();
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

    /** A clock that moves only when told. */
    private static final class SteppedClock extends Clock {

        private Instant now = Instant.parse("2026-01-02T03:04:05Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the policy reads instants only");
        }
    }
}
