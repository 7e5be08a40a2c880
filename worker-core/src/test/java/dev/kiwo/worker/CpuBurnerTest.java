package dev.kiwo.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
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
}
