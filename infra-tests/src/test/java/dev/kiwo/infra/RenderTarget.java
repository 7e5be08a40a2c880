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
 * "base+all-components-with-<other>" each other one. Components whose checks depend on what an overlay
 * changes also render on top of each overlay ("overlays/kind+vpa").
 */
record RenderTarget(String name, Path kustomizationDir) {

    /** Both replace the pools' CPU-only HPAs: KEDA deletes them, the adapter variant patches them. */
    static final List<String> LAG_SCALING_ALTERNATIVES = List.of("keda", "prometheus-adapter");

    /**
     * The VPAs' bounds are checked against the requests each overlay sets (kind lowers them); kafka-sasl-ssl
     * opens the TLS port in the network policies that production adds.
     */
    static final List<String> ON_EVERY_OVERLAY = List.of("vpa", "kafka-sasl-ssl");

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
            targets.add(new RenderTarget(name, generated(name, k8s.resolve("base"), List.of(component))));
        }
        for (Path overlay : subdirectories(k8s.resolve("overlays"))) {
            for (String component : ON_EVERY_OVERLAY) {
                if (includes(overlay, component)) {
                    continue; // the overlay's own render covers it (test-cluster has the VPAs)
                }
                String name = "overlays/" + overlay.getFileName() + "+" + component;
                targets.add(new RenderTarget(name, generated(name, overlay, List.of(k8s.resolve("components").resolve(component)))));
            }
        }
        for (String alternative : LAG_SCALING_ALTERNATIVES) {
            List<Path> together = components.stream().filter(c -> {
                String name = c.getFileName().toString();
                return !LAG_SCALING_ALTERNATIVES.contains(name) || name.equals(alternative);
            }).toList();
            String name = alternative.equals(LAG_SCALING_ALTERNATIVES.get(0))
                    ? "base+all-components" : "base+all-components-with-" + alternative;
            targets.add(new RenderTarget(name, generated(name, k8s.resolve("base"), together)));
        }
        for (Path job : subdirectories(k8s.resolve("jobs"))) {
            targets.add(new RenderTarget(JOBS + job.getFileName(), job));
        }
        return List.copyOf(targets);
    }

    private static boolean includes(Path overlay, String component) {
        try {
            return Files.readString(overlay.resolve("kustomization.yaml")).contains("components/" + component);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RenderTarget named(String name) {
        return all().stream().filter(t -> t.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no render target " + name));
    }

    /** A kustomization of {@code resource} (base or an overlay) plus {@code components}. */
    private static Path generated(String name, Path resource, List<Path> components) {
        Path dir = Repo.work().resolve(name.replace('/', '_'));
        StringBuilder yaml = new StringBuilder("""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                components:
                """.formatted(relative(dir, resource)));
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
