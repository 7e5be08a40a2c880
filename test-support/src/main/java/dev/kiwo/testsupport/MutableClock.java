package dev.kiwo.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock in UTC that stands still until a test moves it. */
public final class MutableClock extends Clock {

    private volatile Instant now;

    /** A clock that reads {@code now} until {@link #advance} moves it. */
    public MutableClock(Instant now) {
        this.now = now;
    }

    /** Moves the clock {@code duration} further. */
    public void advance(Duration duration) {
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
        throw new UnsupportedOperationException("always UTC");
    }
}
