package dev.kiwo.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.model.JobErrorCode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CpuBurnerTest {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final CpuBurner burner = new CpuBurner();

    @Test
    void consumesAboutTheRequestedThreadCpuTime() {
        long before = threads.getCurrentThreadCpuTime();
        long reported = burner.burn(50);
        long used = threads.getCurrentThreadCpuTime() - before;

        assertThat(TimeUnit.NANOSECONDS.toMillis(used)).isBetween(50L, 250L);
        assertThat(reported).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50)).isLessThanOrEqualTo(used);
    }

    @Test
    void consumesNothingForAZeroCost() {
        assertThat(burner.burn(0)).isZero();
    }

    @Test
    void stopsAtTheFirstSafePointWhereTheConditionGivesAReason() {
        AtomicInteger asked = new AtomicInteger();
        long before = threads.getCurrentThreadCpuTime();

        assertThatThrownBy(() -> burner.burn(10_000,
                () -> asked.incrementAndGet() == 3 ? JobErrorCode.DEADLINE_EXCEEDED : null))
                .isInstanceOfSatisfying(JobStoppedException.class,
                        stopped -> assertThat(stopped.reason()).isEqualTo(JobErrorCode.DEADLINE_EXCEEDED));
        long used = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - before);

        assertThat(asked).hasValue(3);
        // Three safe points, one every 5 ms of CPU: far below the 10 s asked for.
        assertThat(used).isBetween(15L, 250L);
    }

    @Test
    void asksTheStopConditionEveryFewMillisecondsOfCpu() {
        AtomicInteger asked = new AtomicInteger();

        burner.burn(100, () -> {
            asked.incrementAndGet();
            return null;
        });

        assertThat(asked.get()).isBetween(5, 20);
    }
}
