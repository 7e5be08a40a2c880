package dev.kiwo.bench;

import dev.kiwo.launcher.ManagedProcess;

/** CPU pinning with {@code taskset}, where the machine has it and enough CPUs. */
final class Cpus {

    private Cpus() {
    }

    /** Parameter {@code pin-cpus}: {@code auto} (the default) pins where the machine can, else true or false. */
    static boolean pin(Params params) {
        String pin = params.string("pin-cpus", "auto", "auto");
        return pin.equals("auto") ? canPin() : Boolean.parseBoolean(pin);
    }

    private static boolean canPin() {
        return Runtime.getRuntime().availableProcessors() >= 2 && ManagedProcess.onPath("taskset");
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
