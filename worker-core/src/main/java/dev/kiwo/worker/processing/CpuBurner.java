package dev.kiwo.worker.processing;

import dev.kiwo.model.JobErrorCode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for real document processing: hashes a small buffer over and over until the calling thread has
 * used the requested CPU time. Measuring thread CPU time rather than wall time means a throttled or busy
 * node stretches the wall time of a job, as it would for real work. Every few milliseconds of CPU is a safe
 * point where the job can be stopped.
 */
public final class CpuBurner {

    private static final int CHUNK_BYTES = 16 * 1024;

    /** CPU time between two safe points: short enough to stop promptly, long enough to cost nothing. */
    private static final long SAFE_POINT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuTimeAvailable =
            threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();

    /** Burns at least {@code costMs} of the current thread's CPU time; returns the nanoseconds used. */
    long burn(long costMs) {
        return burn(costMs, StopCondition.NEVER);
    }

    /**
     * Burns at least {@code costMs} of the current thread's CPU time unless {@code stop} gives a reason at one of
     * the safe points; returns the nanoseconds used.
     *
     * @throws JobStoppedException with the reason {@code stop} gave
     */
    long burn(long costMs, StopCondition stop) {
        if (costMs <= 0) {
            return 0;
        }
        long target = TimeUnit.MILLISECONDS.toNanos(costMs);
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[CHUNK_BYTES];
        long start = now();
        long nextSafePoint = SAFE_POINT_INTERVAL_NANOS;
        long used;
        do {
            byte[] digest = sha256.digest(buffer);
            // Feed each digest into the next chunk so no round can be skipped as dead code.
            System.arraycopy(digest, 0, buffer, 0, digest.length);
            used = now() - start;
            if (used >= nextSafePoint && used < target) {
                JobErrorCode reason = stop.reason();
                if (reason != null) {
                    throw new JobStoppedException(reason);
                }
                nextSafePoint = used + SAFE_POINT_INTERVAL_NANOS;
            }
        } while (used < target);
        return used;
    }

    private long now() {
        return cpuTimeAvailable ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /** Asked at each safe point whether the work must stop. */
    @FunctionalInterface
    interface StopCondition {

        StopCondition NEVER = () -> null;

        /** Why the work must stop now, or null to go on. */
        JobErrorCode reason();
    }
}
