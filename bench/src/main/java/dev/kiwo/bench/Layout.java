package dev.kiwo.bench;

import dev.kiwo.launcher.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the project's built artifacts are (a {@link Project}, or copies of its runnable jars in {@code apps}), and
 * which JDKs there are to run them.
 */
record Layout(Project project, Path apps) {

    static final List<String> APPS = List.of("api-service", "classifier-service", "worker-light", "worker-heavy",
            "load-generator");

    Layout(Project project) {
        this(project, null);
    }

    Path root() {
        return project.root();
    }

    String version() {
        return project.version();
    }

    Path execJar(String module) {
        Path built = project.execJar(module);
        return apps != null ? apps.resolve(built.getFileName()) : built;
    }

    /**
     * Copies the runnable jars into {@code dir} and returns a layout that uses the copies, so that a build during
     * the run cannot change what is measured.
     */
    Layout snapshot(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String module : APPS) {
            Path jar = execJar(module);
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing; build it first (scripts/bench.sh does)");
            }
            Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        return new Layout(project, dir);
    }

    /** The {@code java} that runs the harness; services run on the same one unless told otherwise. */
    static Path currentJava() {
        return Path.of(ProcessHandle.current().info().command().orElse("java"));
    }

    /**
     * A JDK 25 for the start-up experiment: {@code JAVA25_HOME}, else a JDK 25 directory beside the current JDK
     * (where system packages install them).
     */
    static Optional<Path> java25() {
        String home = System.getenv("JAVA25_HOME");
        if (home != null && !home.isBlank()) {
            Path java = Path.of(home, "bin", "java");
            return Files.isExecutable(java) ? Optional.of(java) : Optional.empty();
        }
        Path jdks = Path.of(System.getProperty("java.home")).toAbsolutePath().getParent();
        if (jdks == null || !Files.isDirectory(jdks)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jdks)) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*(-25[-.].*|-25)$"))
                    .map(d -> d.resolve("bin").resolve("java")).filter(Files::isExecutable).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
