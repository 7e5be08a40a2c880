package dev.kiwo.bench;

import dev.kiwo.launcher.ManagedProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * Time from launching a worker JVM to its first consumer having partitions (when a new pod adds capacity), and
 * its resident memory after it settled, for the plain jar and with the JVM's start-up aids: an AppCDS archive
 * (JDK 17+) and the AOT cache (JDK 25). Each aid gets a training run first, as an image build would.
 */
final class StartupExperiment implements Experiment {

    static final Pattern STARTED = Pattern.compile("Started \\w+ in [\\d.]+ seconds");

    /** One way to launch the worker. */
    record Variant(String name, Path java, List<String> jvm, Path jar, List<String> trainingFlags,
                   List<String> afterTraining, Path aid) {
    }

    @Override
    public String name() {
        return "startup";
    }

    @Override
    public void run(Params params, LocalStack stack, BenchReport report, Path outDir, PrintStream out)
            throws Exception {
        int repetitions = params.integer("repetitions", 1, 5);
        Duration settle = params.duration("settle", "3s", "10s");
        String module = params.string("module", "worker-light", "worker-light");
        List<String> jvm = params.strings("worker-jvm", "-Xms64m,-Xmx384m,-XX:+UseSerialGC",
                "-Xms64m,-Xmx384m,-XX:+UseSerialGC");
        List<String> wanted = params.strings("variants", "jdk17-jar,jdk17-appcds,jdk25-jar,jdk25-aot-cache",
                "jdk17-jar,jdk17-appcds,jdk25-jar,jdk25-aot-cache");

        out.println("[startup] broker");
        stack.startBroker();
        stack.createTopics();

        Path java17 = Layout.currentJava();
        Optional<Path> java25 = Layout.java25();
        Path fatJar = stack.layout().execJar(module);
        Path extracted = extract(java17, fatJar, stack.runDir().resolve("extracted"), out);
        Path cds = stack.runDir().resolve("aids/app.jsa");
        Path aot = stack.runDir().resolve("aids/app.aot");
        Path aotConfig = stack.runDir().resolve("aids/app.aotconf");
        Files.createDirectories(cds.getParent());
        List<String> notes = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        for (String name : wanted) {
            switch (name) {
                case "jdk17-jar" -> variants.add(new Variant(name, java17, jvm, fatJar, List.of(), List.of(), null));
                case "jdk17-appcds" -> variants.add(new Variant(name, java17, plus(jvm, "-XX:SharedArchiveFile=" + cds),
                        extracted, plus(jvm, "-XX:ArchiveClassesAtExit=" + cds), List.of(), cds));
                case "jdk25-jar", "jdk25-aot-cache" -> {
                    if (java25.isEmpty()) {
                        notes.add(name + ": skipped, no JDK 25 found (set JAVA25_HOME)");
                    } else if (name.equals("jdk25-jar")) {
                        variants.add(new Variant(name, java25.get(), jvm, fatJar, List.of(), List.of(), null));
                    } else {
                        // Two steps (record, then create) rather than AOTCacheOutput: the cache is then complete
                        // when the create step exits, whatever happens to the trained JVM.
                        List<String> training = new ArrayList<>(jvm);
                        training.addAll(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + aotConfig));
                        List<String> create = new ArrayList<>(List.of(java25.get().toString()));
                        create.addAll(jvm);
                        create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + aotConfig,
                                "-XX:AOTCache=" + aot, "-cp", extracted.toString()));
                        variants.add(new Variant(name, java25.get(), plus(jvm, "-XX:AOTCache=" + aot), extracted,
                                training, create, aot));
                    }
                }
                default -> throw new IllegalArgumentException("unknown variant " + name);
            }
        }
        notes.add("Spring AOT (spring-boot:process-aot, -Dspring.aot.enabled=true): not measured; it needs the "
                + "worker build to run the AOT processing goal, which the worker modules do not do today");

        Map<String, Object> figures = new LinkedHashMap<>();
        int run = 0;
        for (Variant v : variants) {
            if (!v.trainingFlags().isEmpty()) {
                out.printf("%n[startup] %s: training run%n", v.name());
                Launch training = launch(stack, v.java(), v.trainingFlags(), v.jar(), "train-" + v.name(), run++,
                        Duration.ZERO, Duration.ofMinutes(3));
                if (!v.afterTraining().isEmpty()) {
                    Path log = stack.runDir().resolve("logs/create-" + v.name() + ".log");
                    if (Processes.run("create-" + v.name(), v.afterTraining(), log, stack.runDir(), null,
                            Duration.ofMinutes(5)) != 0) {
                        throw new IllegalStateException(v.name() + ": creating the cache failed; see " + log);
                    }
                }
                Path file = v.aid();
                if (!Files.exists(file)) {
                    throw new IllegalStateException(v.name() + ": the training run wrote no " + file.getFileName()
                            + "; see " + training.log());
                }
                out.printf("    %s written (%d MB)%n", file.getFileName(), Files.size(file) / (1024 * 1024));
            }
            List<Launch> launches = new ArrayList<>();
            for (int i = 0; i < repetitions; i++) {
                Launch l = launch(stack, v.java(), v.jvm(), v.jar(), v.name() + "-" + (i + 1), run++, settle,
                        Duration.ofSeconds(60));
                out.printf("[startup] %s #%d: partitions assigned after %.2fs, Spring context after %.2fs, RSS %d MB%n",
                        v.name(), i + 1, l.assignedSeconds(), l.startedSeconds(), l.rssKb() / 1024);
                launches.add(l);
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("java", v.java().toString());
            f.put("jvmOptions", v.jvm());
            f.put("jar", v.jar().getFileName().toString());
            f.put("assignedSeconds", launches.stream().map(Launch::assignedSeconds).toList());
            f.put("startedSeconds", launches.stream().map(Launch::startedSeconds).toList());
            f.put("rssMb", launches.stream().map(l -> l.rssKb() / 1024.0).toList());
            f.put("medianAssignedSeconds", median(launches.stream().mapToDouble(Launch::assignedSeconds).toArray()));
            f.put("medianStartedSeconds", median(launches.stream().mapToDouble(Launch::startedSeconds).toArray()));
            f.put("medianRssMb", median(launches.stream().mapToDouble(l -> l.rssKb() / 1024.0).toArray()));
            figures.put(v.name(), f);
        }
        report.put("variants", figures);
        report.put("notes", notes);
        summarise(report, figures, notes, outDir, module, settle);
    }

    /** A measured launch. */
    record Launch(double assignedSeconds, double startedSeconds, long rssKb, Path log) {
    }

    private static Launch launch(LocalStack stack, Path java, List<String> jvm, Path jar, String name, int run,
                                 Duration settle, Duration stopGrace) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar.toString(), "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + stack.bootstrapServers(),
                "--spring.kafka.consumer.group-id=bench-startup-" + run + "-" + System.currentTimeMillis()));
        ManagedProcess process = Processes.start(name, command, stack.runDir().resolve("logs/" + name + ".log"),
                stack.runDir());
        ManagedProcess.Watch assigned = process.watch(line -> LocalStack.PARTITIONS_ASSIGNED.matcher(line).find());
        ManagedProcess.Watch started = process.watch(line -> STARTED.matcher(line).find());
        try {
            double assignedSeconds = seconds(assigned.await(Duration.ofMinutes(3), "partition assignment"));
            double startedSeconds = seconds(started.await(Duration.ofMinutes(1), "start-up line"));
            LockSupport.parkNanos(settle.toNanos());
            long rss = rssKb(process.pid());
            return new Launch(assignedSeconds, startedSeconds, rss, process.log());
        } finally {
            Processes.stop(process, stopGrace);
        }
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static Path extract(Path java, Path fatJar, Path dir, PrintStream out) throws Exception {
        out.println("[startup] extracting " + fatJar.getFileName() + " (AppCDS and the AOT cache need a plain class path)");
        Path log = dir.resolveSibling("logs/extract.log");
        if (Processes.run("extract", List.of(java.toString(), "-Djarmode=tools", "-jar", fatJar.toString(),
                "extract", "--destination", dir.toString()), log, null, null, Duration.ofMinutes(2)) != 0) {
            throw new IllegalStateException("extracting the jar failed; see " + log);
        }
        return dir.resolve(fatJar.getFileName().toString());
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static List<String> plus(List<String> list, String extra) {
        List<String> all = new ArrayList<>(list);
        all.add(extra);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static void summarise(BenchReport report, Map<String, Object> figures, List<String> notes, Path outDir,
                                  String module, Duration settle) throws Exception {
        double baseline = figures.get("jdk17-jar") instanceof Map<?, ?> m
                ? ((Number) ((Map<String, Object>) m).get("medianAssignedSeconds")).doubleValue() : Double.NaN;
        List<List<String>> rows = new ArrayList<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<Double> assigned = new ArrayList<>();
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            double a = ((Number) f.get("medianAssignedSeconds")).doubleValue();
            double speedup = Markdown.divide(baseline, a);
            rows.add(List.of(e.getKey(), Markdown.number(a, 2), Markdown.number(
                            ((Number) f.get("medianStartedSeconds")).doubleValue(), 2), Markdown.ratio(speedup),
                    Markdown.number(((Number) f.get("medianRssMb")).doubleValue(), 0)));
            if (Double.isFinite(speedup)) {
                ratios.put(e.getKey() + "SpeedupOverJdk17Jar", speedup);
            }
            names.add(e.getKey());
            assigned.add(a);
        }
        report.put("ratios", ratios);
        StringBuilder md = new StringBuilder("## Worker start-up: launch to partitions assigned\n\n");
        md.append(Markdown.table(List.of("variant", "to partitions assigned (s)", "Spring context ready (s)",
                "speed-up vs jdk17-jar", "RSS (MB)"), rows));
        md.append(String.format(Locale.ROOT, "%n- Module %s; medians over the repetitions; time from launching the JVM "
                + "to the first \"partitions assigned\" log line with partitions; RSS (VmRSS) %ss after that.%n",
                module, settle.toSeconds()));
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        report.section(md.toString());
        Files.createDirectories(outDir);
        Charts.bars(outDir.resolve("startup.png"), "Worker start-up: launch to partitions assigned (median)",
                "seconds", names, Map.of("seconds", assigned));
        report.plot("startup.png");
    }
}
