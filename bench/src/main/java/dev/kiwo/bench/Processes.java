package dev.kiwo.bench;

import dev.kiwo.launcher.ManagedProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every process the harness started and has not stopped. Ctrl-C, a failure or the watchdog's exit must not leave
 * brokers and services behind: a shutdown hook stops what is left, the latest started first.
 */
final class Processes {

    /** Shorter than the launcher's stop grace: whoever pressed Ctrl-C is waiting. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(20);

    private static final List<ManagedProcess> RUNNING = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<ManagedProcess> all = new ArrayList<>(RUNNING);
            Collections.reverse(all);
            all.forEach(process -> process.stop(EXIT_GRACE));
        }, "bench-stop-all"));
    }

    private Processes() {
    }

    /** Starts {@code command} in {@code workDir} (the current directory when null), its output in {@code log}. */
    static ManagedProcess start(String name, List<String> command, Path log, Path workDir) {
        return register(ManagedProcess.start(name, command, log, workDir, Map.of()));
    }

    /** Remembers a process the launcher started for the harness, to stop it at exit. */
    static ManagedProcess register(ManagedProcess process) {
        RUNNING.add(process);
        return process;
    }

    /**
     * Runs {@code command} to its end, its lines echoed to {@code echo} unless null, and returns its exit code;
     * stops it if it still runs after {@code timeout}.
     */
    static int run(String name, List<String> command, Path log, Path workDir, PrintStream echo, Duration timeout) {
        ManagedProcess process = start(name, command, log, workDir);
        if (echo != null) {
            process.echoTo(echo);
        }
        try {
            return process.awaitExit(timeout);
        } finally {
            stop(process, ManagedProcess.STOP_GRACE);
        }
    }

    /** Stops {@code process} by the launcher's stop rule with {@code grace}. */
    static ManagedProcess.Stopped stop(ManagedProcess process, Duration grace) {
        try {
            return process.stop(grace);
        } finally {
            RUNNING.remove(process);
        }
    }

    /** Stops {@code processes}, the latest started first. */
    static void stopAll(List<ManagedProcess> processes) {
        try {
            ManagedProcess.stopAll(processes);
        } finally {
            RUNNING.removeAll(processes);
        }
    }
}
