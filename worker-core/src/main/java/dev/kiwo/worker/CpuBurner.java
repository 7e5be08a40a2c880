package dev.kiwo.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for real document processing: hashes a small buffer over and over until the calling thread has
 * used the requested CPU time. Measuring thread CPU time rather than wall time means a throttled or busy
 * node stretches the wall time of a job, as it would for real work.
 */
final class CpuBurner {

    private static final int CHUNK_BYTES = 16 * 1024;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuTimeAvailable =
            threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();

    /** Burns at least {@code costMs} of the current thread's CPU time; returns the nanoseconds used. */
    long burn(long costMs) {
        if (costMs <= 0) {
            return 0;
        }
        long target = TimeUnit.MILLISECONDS.toNanos(costMs);
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[CHUNK_BYTES];
        long start = now();
        long used;
        do {
            byte[] digest = sha256.digest(buffer);
            // Feed each digest into the next chunk so no round can be skipped as dead code.
            System.arraycopy(digest, 0, buffer, 0, digest.length);
            used = now() - start;
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
}
