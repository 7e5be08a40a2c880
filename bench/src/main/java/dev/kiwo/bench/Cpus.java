package dev.kiwo.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU pinning with {@code taskset}, where the machine has it and enough CPUs. */
final class Cpus {

    private Cpus() {
    }

    static boolean canPin() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return false;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }

    /** How many CPUs a taskset list names: {@code 0}, {@code 0,1}, {@code 0-3}, {@code 0,2-3}. */
    static int count(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
        }
        return n;
    }
}
