package dev.kiwo.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says yes at most once per interval, to any number of threads: for a warning that an absent broker or a stream of
 * bad records would otherwise repeat for every record. The first call says yes.
 */
public final class AtMostOncePer {

    private final long intervalNanos;
    private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());

    public AtMostOncePer(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Whether the interval since the last yes has passed; if so, the next one starts now. */
    public boolean due() {
        long next = nextNanos.get();
        long now = System.nanoTime();
        return now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos);
    }
}
