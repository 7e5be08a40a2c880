package dev.kiwo.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Something {@code kubectl kustomize} renders: the base, each overlay, the base with one component,
 * and the base with every component, plus each standalone Job under infra/k8s/jobs (what the demo scripts
 * run next to a deployment). Components that are alternatives to each other (two ways to scale the pools
 * on lag) never render together: "base+all-components" takes the first of them, and
 * "base+all-components-with-<other>" each other one.
 */
record RenderTarget(String name, Path kustomizationDir) {

    /** Both replace the pools' CPU-only HPAs: KEDA deletes them, the adapter variant patches them. */
    static final List<String> LAG_SCALING_ALTERNATIVES = List.of("keda", "prometheus-adapter");

    private static final String JOBS = "jobs/";

    @Override
    public String toString() {
        return name;
    }

    /** Every target that renders base: the services, the namespace and its guard rails. */
    static List<RenderTarget> withBase() {
        return all().stream().filter(t -> !t.isStandaloneJob()).toList();
    }

    /**
     * A Job under infra/k8s/jobs, rendered on its own: it runs in base's namespace, next to the services, but
     * brings none of them (nor the Namespace, PriorityClasses or ResourceQuota it relies on).
     */
    boolean isStandaloneJob() {
        return name.startsWith(JOBS);
    }

    static List<RenderTarget> all() {
        Path k8s = Repo.k8s();
        List<RenderTarget> targets = new ArrayList<>();
        targets.add(new RenderTarget("base", k8s.resolve("base")));
        for (Path overlay : subdirectories(k8s.resolve("overlays"))) {
            targets.add(new RenderTarget("overlays/" + overlay.getFileName(), overlay));
        }
        List<Path> components = subdirectories(k8s.resolve("components"));
        for (Path component : components) {
            String name = "base+" + component.getFileName();
            targets.add(new RenderTarget(name, generated(name, components.subList(components.indexOf(component),
                    components.indexOf(component) + 1))));
        }
        for (String alternative : LAG_SCALING_ALTERNATIVES) {
            List<Path> together = components.stream().filter(c -> {
                String name = c.getFileName().toString();
                return !LAG_SCALING_ALTERNATIVES.contains(name) || name.equals(alternative);
            }).toList();
            String name = alternative.equals(LAG_SCALING_ALTERNATIVES.get(0))
                    ? "base+all-components" : "base+all-components-with-" + alternative;
            targets.add(new RenderTarget(name, generated(name, together)));
        }
        for (Path job : subdirectories(k8s.resolve("jobs"))) {
            targets.add(new RenderTarget(JOBS + job.getFileName(), job));
        }
        return List.copyOf(targets);
    }

    static RenderTarget named(String name) {
        return all().stream().filter(t -> t.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no render target " + name));
    }

    private static Path generated(String name, List<Path> components) {
        Path dir = Repo.work().resolve(name.replace('/', '_'));
        StringBuilder yaml = new StringBuilder("""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                components:
                """.formatted(relative(dir, Repo.k8s().resolve("base"))));
        components.forEach(c -> yaml.append("  - ").append(relative(dir, c)).append('\n'));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("kustomization.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static String relative(Path from, Path to) {
        return from.relativize(to).toString().replace('\\', '/');
    }

    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
