package dev.kiwo.infra;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** External command-line tools the checks need; a missing tool skips locally and fails in CI. */
final class Tools {

    static final String KUBECTL = "kubectl";
    static final String KUSTOMIZE = "kustomize";
    static final String VALIDATOR = "kubernetes-validate";
    static final String GO = "go";

    private static Path vpaCrdFile;

    private Tools() {
    }

    record Result(int exitCode, String output) {
    }

    static void require(String tool, String howToGet) {
        if (!available(tool)) {
            unavailable(tool + " is not on the PATH; " + howToGet);
        }
    }

    /** The command that renders a kustomization directory: kubectl's embedded kustomize, else kustomize. */
    static List<String> kustomizeCommand() {
        if (available(KUBECTL)) {
            return List.of(KUBECTL, "kustomize");
        }
        if (available(KUSTOMIZE)) {
            return List.of(KUSTOMIZE, "build");
        }
        unavailable("neither kubectl (v1.27+) nor kustomize (v5) is on the PATH; install kubectl, or run "
                + "go install sigs.k8s.io/kustomize/kustomize/v5@v5.5.0");
        throw new IllegalStateException("unreachable");
    }

    /** bash, curl and awk: what scripts/demo.sh needs. */
    static void requireBash() {
        for (String tool : List.of("bash", "curl", "awk")) {
            require(tool, "install it with your system's package manager");
        }
    }

    static void requireValidator() {
        require(VALIDATOR, "install it with: pip install kubernetes-validate==1.35.0");
    }

    /**
     * The VerticalPodAutoscaler CRD manifest of the VPA release the test cluster pins (VPA_VERSION in
     * infra/test-cluster/versions.env), found by the test cluster's own infra/test-cluster/lib/vpa.sh: from the
     * autoscaler's Go module, downloaded into the Go module cache on first use.
     */
    static synchronized Path vpaCrdFile() {
        if (vpaCrdFile == null) {
            require("bash", "install it with your system's package manager");
            require(GO, "install Go: the VPA CRD comes from the autoscaler's Go module");
            Result result = run(Repo.root(), Duration.ofMinutes(5), List.of("bash", "-c",
                    "set -euo pipefail; . infra/test-cluster/versions.env; . infra/test-cluster/lib/vpa.sh; vpa_crd_file"));
            String[] lines = result.output().strip().split("\\R");
            if (result.exitCode() != 0) {
                fail("vpa_crd_file failed:%n%s".formatted(result.output()));
            }
            vpaCrdFile = Path.of(lines[lines.length - 1]);
        }
        return vpaCrdFile;
    }

    /** Skips the calling test, except under CI=true, where a missing prerequisite is a failure. */
    static void unavailable(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: required)");
        }
        Assumptions.abort(message);
    }

    static Result run(Path workDir, Duration timeout, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read before waiting: a full pipe would block the child.
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }

    private static boolean available(String tool) {
        try {
            List<String> probe = switch (tool) {
                case KUBECTL -> List.of(tool, "version", "--client");
                case KUSTOMIZE, GO -> List.of(tool, "version");
                case "awk" -> List.of(tool, "BEGIN { exit 0 }");
                default -> List.of(tool, "--version");
            };
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
