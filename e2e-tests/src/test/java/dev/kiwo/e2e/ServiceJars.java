package dev.kiwo.e2e;

import dev.kiwo.launcher.App;
import dev.kiwo.launcher.KiwoService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The services' runnable jars under test, started as {@link KiwoService}s with the end-to-end tests' defaults: the
 * jars Maven copied to {@code kiwo.apps.dir}, a fresh log in {@code kiwo.logs.dir}, a small heap and quick start-up.
 */
final class ServiceJars {

    /** Small JVMs that start fast: a test runs up to eight of them beside its broker. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /** Every service started here, so that a test failing half-way through its start-up leaves none behind. */
    private static final List<KiwoService> STARTED = new CopyOnWriteArrayList<>();

    private ServiceJars() {
    }

    /** Stops every service started here that still runs, the latest first. */
    static void stopAll() {
        List<KiwoService> started = new ArrayList<>(STARTED);
        Collections.reverse(started);
        started.forEach(KiwoService::close);
        STARTED.clear();
    }

    /** Starts {@code app}'s jar on free ports, logging to {@code <module>.log}. */
    static KiwoService start(App app, String bootstrapServers, String... springArgs) {
        return startAs(app.module(), app, bootstrapServers, springArgs);
    }

    /**
     * Starts the classifier with its Streams state in {@code stateDir}. Its classic-protocol session is as short as
     * the broker's for the pools (see LocalKafkaBroker), so a stopped or killed instance's tasks move just as soon.
     */
    static KiwoService startClassifier(String logName, String bootstrapServers, Path stateDir, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--spring.kafka.streams.state-dir=" + stateDir,
                "--spring.kafka.streams.properties.session.timeout.ms=10000",
                "--spring.kafka.streams.properties.heartbeat.interval.ms=3000"));
        args.addAll(List.of(extraArgs));
        return startAs(logName, App.CLASSIFIER, bootstrapServers, args.toArray(String[]::new));
    }

    /**
     * Starts {@code app}'s jar on free ports, logging to {@code <logs dir>/<logName>.log}: deleted first, then
     * appended to across restarts.
     */
    static KiwoService startAs(String logName, App app, String bootstrapServers, String... springArgs) {
        Path jar = Path.of(System.getProperty("kiwo.apps.dir", "target/apps"), app.module() + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven ('mvn verify'), "
                    + "which builds and copies the services' jars first");
        }
        Path log = Path.of(System.getProperty("kiwo.logs.dir", "target/e2e-logs"), logName + ".log");
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the old log of " + logName, e);
        }
        List<String> args = new ArrayList<>();
        if (app == App.API) {
            // Like local mode: the tests make jobs fail on purpose (simulate), which the jar refuses by default.
            args.add("--kiwo.api.allow-simulation=true");
        }
        args.addAll(List.of(springArgs));
        KiwoService service = KiwoService.of(app, jar).name(logName).bootstrapServers(bootstrapServers)
                .jvmOptions(JVM_OPTIONS).args(args).log(log).start();
        STARTED.add(service);
        return service;
    }
}
