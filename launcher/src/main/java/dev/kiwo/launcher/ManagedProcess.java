package dev.kiwo.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A process kiwo started: its output and errors appended to a log file by the operating system (so it outlives
 * the JVM that started it, as local mode's processes outlive {@code demo.sh}), stopped by one rule, and ended only
 * by its own pid. Lines of the log can be watched as they arrive.
 */
public final class ManagedProcess {

    /**
     * The one stop rule: SIGTERM, as Kubernetes sends at the start of a pod's grace period; SIGKILL if the process
     * still runs after this. Longer than the pods' 30 s grace, because a laptop's JVMs drain more slowly.
     */
    public static final int STOP_GRACE_SECONDS = 45;

    /** {@link #STOP_GRACE_SECONDS} as a duration. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(STOP_GRACE_SECONDS);

    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final long TAIL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long EXIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final Duration COLLECT_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final ProcessHandle handle;
    private final Path log;
    private final long logOffset;
    private final long startedNanos;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private volatile PrintStream echo;
    private Thread follower;

    /** What {@link #stop} did: how long the process took to exit, and whether it had to be killed. */
    public record Stopped(Duration took, boolean killed) {
    }

    private ManagedProcess(String name, Process process, ProcessHandle handle, Path log, long logOffset) {
        this.name = name;
        this.process = process;
        this.handle = handle;
        this.log = log;
        this.logOffset = logOffset;
        this.startedNanos = System.nanoTime();
    }

    /**
     * Starts {@code command} with its standard output and error appended to {@code log}, in {@code workDir} (the
     * current directory when null), with {@code environment} added to this JVM's.
     */
    public static ManagedProcess start(String name, List<String> command, Path log, Path workDir,
                                       Map<String, String> environment) {
        return start(name, command, log, workDir, environment, variable -> false);
    }

    /**
     * As {@link #start(String, List, Path, Path, Map)}, without the variables of this JVM's environment that
     * {@code leftOut} accepts: for a process configured by its environment alone, such as a container's.
     */
    public static ManagedProcess start(String name, List<String> command, Path log, Path workDir,
                                       Map<String, String> environment, Predicate<String> leftOut) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            long offset = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().keySet().removeIf(leftOut);
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new ManagedProcess(name, process, process.toHandle(), log, offset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
        }
    }

    /** As {@link #start(String, List, Path, Path, Map)}, in the current directory with this JVM's environment. */
    public static ManagedProcess start(String name, List<String> command, Path log) {
        return start(name, command, log, null, Map.of());
    }

    /**
     * The process {@code pid} if it still runs and started at {@code started} (to the millisecond): a pid the
     * system has given to another process since is not ours to stop.
     */
    public static Optional<ManagedProcess> adopt(String name, long pid, Instant started, Path log) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().startInstant().map(ManagedProcess::toMillis).filter(started::equals).isPresent())
                .map(h -> new ManagedProcess(name, null, h, log, 0)).filter(ManagedProcess::alive);
    }

    /** Whether a process runs as {@code pid}: one that has ended but is not yet collected does not. */
    static boolean runs(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() && !zombie(pid);
    }

    /** Whether {@code command} is an executable in a directory of {@code PATH}, as a started process finds it. */
    public static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, command)));
    }

    static Instant toMillis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return handle.pid();
    }

    /** When the system says the process started, to the millisecond: with the pid, what identifies it. */
    public Instant startInstant() {
        // Right after the start, while the new process still executes its program, the system may not say yet.
        for (int attempt = 0; attempt < 50; attempt++) {
            Optional<Instant> started = handle.info().startInstant();
            if (started.isPresent()) {
                return toMillis(started.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("the system does not say when " + name + " (pid " + pid() + ") started");
    }

    public boolean alive() {
        return handle.isAlive() && (process != null || !zombie());
    }

    /**
     * Whether the system keeps the ended process only for its parent to collect: after the launcher's own JVM has
     * exited, the parent is init, which may be slow to collect or, in a container, never; the JDK counts such a
     * process as alive.
     */
    private boolean zombie() {
        return zombie(handle.pid());
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public Path log() {
        return log;
    }

    /** CPU time the process used so far, all its threads together; zero where the system does not say. */
    public Duration cpuTime() {
        return handle.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Waits for the process to exit by itself and returns its exit code; fails with the log's tail on timeout. */
    public int awaitExit(Duration timeout) {
        if (process == null) {
            throw new IllegalStateException(name + " was not started here: its exit code is not known");
        }
        if (!exited(timeout)) {
            throw new IllegalStateException(name + " still runs after " + timeout.toSeconds() + " s; last lines of "
                    + log + ":\n" + tail(15));
        }
        return process.exitValue();
    }

    /** The one stop rule with {@link #STOP_GRACE}. */
    public Stopped stop() {
        return stop(STOP_GRACE);
    }

    /** SIGTERM; SIGKILL if the process still runs after {@code grace}. Nothing to do if it has ended. */
    public Stopped stop(Duration grace) {
        long start = System.nanoTime();
        boolean killed = false;
        if (alive()) {
            handle.destroy();
            if (!exited(grace)) {
                killed = true;
                kill();
            }
        }
        return new Stopped(Duration.ofNanos(System.nanoTime() - start), killed);
    }

    /** SIGKILL: no shutdown hooks, no commits, as a crash or the OOM killer ends a process. */
    public void kill() {
        handle.destroyForcibly();
        if (!exited(KILL_WAIT)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for " + KILL_WAIT.toSeconds()
                    + " s");
        }
    }

    private boolean exited(Duration timeout) {
        if (process == null) {
            // Not our child: the system cannot notify us of its exit, and the JDK's own polling backs off to
            // seconds, which would blur the stop times local mode's checks report.
            long deadline = System.nanoTime() + timeout.toNanos();
            while (alive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(EXIT_POLL_NANOS);
            }
            if (alive()) {
                return false;
            }
            // Ended: give init a moment to collect it, so that it is gone from the process table as before.
            long collected = System.nanoTime() + COLLECT_WAIT.toNanos();
            while (handle.isAlive() && System.nanoTime() < collected) {
                LockSupport.parkNanos(EXIT_POLL_NANOS);
            }
            return true;
        }
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for " + name + " to exit failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !alive();
        }
    }

    /** The last {@code lines} lines this run wrote to its log. */
    public String tail(int lines) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(logOffset, file.length() - 64 * 1024);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Prints every line of this run's log to {@code out}, indented, from now on. */
    public void echoTo(PrintStream out) {
        echo = out;
        follow();
    }

    /**
     * Watches this run's log for a line {@code matcher} accepts (it sees every line, so it may also just look at
     * them and answer false). Lines are read as the process writes them, within about 5 ms.
     */
    public Watch watch(Predicate<String> matcher) {
        Watch watch = new Watch(matcher);
        watches.add(watch);
        follow();
        return watch;
    }

    /** A watched line: when it first appeared. */
    public final class Watch {
        private final Predicate<String> matcher;
        private volatile long seenNanos = -1;

        private Watch(Predicate<String> matcher) {
            this.matcher = matcher;
        }

        /**
         * Waits for the first matching line and returns the time from the process's start to it; fails when the
         * process exits without it or the time is up.
         */
        public Duration await(Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seenNanos < 0) {
                if (!alive() && !followerRunning() && seenNanos < 0) {
                    throw new IllegalStateException(name + " exited before " + what + "; last lines of " + log + ":\n"
                            + tail(15));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": no " + what + " within " + timeout.toSeconds()
                            + " s; see " + log);
                }
                LockSupport.parkNanos(TAIL_POLL_NANOS);
            }
            return Duration.ofNanos(seenNanos - startedNanos);
        }

        private void offer(String line, long now) {
            if (seenNanos < 0 && matcher.test(line)) {
                seenNanos = now;
            }
        }
    }

    private synchronized boolean followerRunning() {
        return follower != null && follower.isAlive();
    }

    private synchronized void follow() {
        if (follower == null) {
            follower = new Thread(this::readLog, name + "-log");
            follower.setDaemon(true);
            follower.start();
        }
    }

    /** Reads the log from this run's start as it grows, until the process has ended and the log is read out. */
    private void readLog() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(logOffset);
            byte[] buffer = new byte[64 * 1024];
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            while (true) {
                boolean ended = !alive();
                int n = file.read(buffer);
                if (n <= 0) {
                    if (ended) {
                        if (partial.size() > 0) {
                            line(partial.toString(StandardCharsets.UTF_8), System.nanoTime());
                        }
                        return;
                    }
                    LockSupport.parkNanos(TAIL_POLL_NANOS);
                    continue;
                }
                long now = System.nanoTime();
                int lineStart = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        partial.write(buffer, lineStart, i - lineStart);
                        line(partial.toString(StandardCharsets.UTF_8), now);
                        partial.reset();
                        lineStart = i + 1;
                    }
                }
                partial.write(buffer, lineStart, n - lineStart);
            }
        } catch (IOException e) {
            // The log went away; what was read has been seen.
        }
    }

    private void line(String line, long now) {
        PrintStream out = echo;
        if (out != null) {
            out.println("      " + line);
        }
        for (Watch watch : watches) {
            watch.offer(line, now);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** Stops every process in {@code started}, latest first, so services close while the broker still runs. */
    public static void stopAll(List<ManagedProcess> started) {
        List<ManagedProcess> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        reversed.forEach(ManagedProcess::stop);
    }
}
