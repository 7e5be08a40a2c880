package dev.kiwo.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations in the repository; surefire passes the root as {@code kiwo.root}. */
final class Repo {

    private Repo() {
    }

    static Path root() {
        String configured = System.getProperty("kiwo.root");
        Path start = (configured != null ? Path.of(configured) : Path.of("")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("infra/k8s/base"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no infra/k8s/base above " + start);
    }

    static Path k8s() {
        return root().resolve("infra/k8s");
    }

    /** Generated kustomizations must sit inside the repository: kustomize refuses absolute paths. */
    static Path work() {
        return root().resolve("infra-tests/target/k8s");
    }
}
