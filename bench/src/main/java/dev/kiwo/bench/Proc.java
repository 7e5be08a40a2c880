package dev.kiwo.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A child process whose output goes to a log file, line by line, with the time each line arrived, so that the
 * harness can wait for a line and know when it appeared. Stopped by its own pid only.
 */
final class Proc implements AutoCloseable {

    private static final List<Proc> RUNNING = new CopyOnWriteArrayList<>();

    static {
        // Ctrl-C or a failure must not leave brokers and services behind; the latest started stops first.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Proc> all = List.copyOf(RUNNING);
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).stop(Duration.ofSeconds(20));
            }
        }));
    }

    private final String name;
    private final Process process;
    private final long startedNanos;
    private final Path log;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final PrintStream echo;
    private volatile boolean outputEnded;

    private record Watch(Predicate<String> matcher, long[] at) {
    }

    private Proc(String name, Process process, long startedNanos, Path log, PrintStream echo) {
        this.name = name;
        this.process = process;
        this.startedNanos = startedNanos;
        this.log = log;
        this.echo = echo;
    }

    static Proc start(String name, List<String> command, Path log, Path workDir) throws IOException {
        return start(name, command, log, workDir, null);
    }

    /** As {@link #start(String, List, Path, Path)}, also printing every line to {@code echo}, indented. */
    static Proc start(String name, List<String> command, Path log, Path workDir, PrintStream echo)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        long started = System.nanoTime();
        Process process = builder.start();
        Proc proc = new Proc(name, process, started, log, echo);
        RUNNING.add(proc);
        Thread reader = new Thread(proc::pump, name + "-output");
        reader.setDaemon(true);
        reader.start();
        return proc;
    }

    /** Starts watching for a line; call before the line can appear, then {@link #await}. */
    long[] watch(Predicate<String> matcher) {
        long[] at = {-1};
        watches.add(new Watch(matcher, at));
        return at;
    }

    /**
     * Waits until a watched line appeared and returns the nanoseconds from process start to it; fails when the
     * process exits or the time is up.
     */
    long await(long[] watched, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (watched) {
                if (watched[0] >= 0) {
                    return watched[0] - startedNanos;
                }
            }
            if (!process.isAlive() && outputEnded) {
                throw new IllegalStateException(name + " exited (code " + process.exitValue() + ") before " + what
                        + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": no " + what + " within " + timeout.toSeconds() + "s; see " + log);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** CPU time the process used so far, all its threads together; zero where the platform does not say. */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Waits for the process to exit by itself; returns its exit code. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still runs after " + timeout.toSeconds() + "s; see " + log);
        }
        awaitOutputEnd();
        return process.exitValue();
    }

    /** SIGTERM, a grace period, then SIGKILL. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    void stop(Duration grace) {
        RUNNING.remove(this);
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        awaitOutputEnd();
    }

    private void awaitOutputEnd() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!outputEnded && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             // Not flushed per line: a service that logs every record must not be slowed by its log file.
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                out.println(line);
                if (echo != null) {
                    echo.println("      " + line);
                }
                for (Watch w : watches) {
                    synchronized (w.at()) {
                        if (w.at()[0] < 0 && w.matcher().test(line)) {
                            w.at()[0] = now;
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The process went away; what it wrote is in the log.
        } finally {
            outputEnded = true;
        }
    }
}
