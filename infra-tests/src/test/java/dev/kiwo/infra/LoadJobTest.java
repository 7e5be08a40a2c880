package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code demo.sh load} on Kubernetes applies infra/k8s/jobs/load-generator, the Job the static checks cover,
 * changed only where scripts/lib/k8s.sh means to: the per-run name, the namespace, the image tag and the
 * flags appended to args. Runs the script's own functions (no cluster: {@code kubectl patch --local}).
 */
class LoadJobTest {

    private static final String TARGET = "jobs/load-generator";
    private static final String CONTAINER = "load-generator";
    /** What the tests run first: a clean, hermetic environment for the sourced script. */
    private static final String PRELUDE = "unset KIWO_ROOT KIWO_NAMESPACE KIWO_IMAGE_TAG KIWO_LOAD_ARGS KIWO_KUBE_CONTEXT; ";

    @Test
    void theScriptAppliesTheManifestRenamedRetaggedAndWithTheFlagsAppended() {
        requireTools();
        List<String> flags = List.of("--duration", "90s", "--note=say\"hi\"", "back\\slash", "{\"json\":[1,2]}", "'single'", "--light-rate", "4");
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                PRELUDE + "source scripts/lib/k8s.sh; _k8s_load_job_manifest \"$@\"", "_", "load-generator-20260101000000", "1.2.3"));
        command.addAll(flags);

        Map<String, Object> applied = single(run(command));

        Map<String, Object> expected = expected("load-generator-20260101000000", "workload-demo", "kiwo/load-generator:1.2.3", flags);
        assertThat(applied).isEqualTo(expected);
    }

    @Test
    void theNamespaceFollowsKiwoNamespaceAsKubectlDashNDoes() {
        requireTools();
        Map<String, Object> applied = single(run(List.of("bash", "-c",
                PRELUDE + "export KIWO_NAMESPACE=elsewhere; source scripts/lib/k8s.sh; _k8s_load_job_manifest x dev")));

        assertThat(applied).isEqualTo(expected("x", "elsewhere", "kiwo/load-generator:dev", List.of()));
    }

    /** k8s_load itself, its kubectl wrapper replaced by one that records the apply and reports a finished Job. */
    @Test
    void k8sLoadAppliesThatManifestWithTheFlagsOfKiwoLoadArgs() throws IOException {
        requireTools();
        Files.createDirectories(Repo.work());
        Path applied = Files.createTempFile(Repo.work(), "load-job-", ".yaml");
        Path calls = Files.createTempFile(Repo.work(), "load-job-", ".calls");
        String fakeKubectl = """
                _k8s_kubectl() {
                  printf '%s\\n' "$*" >> "$calls_file"
                  case " $* " in
                    *" apply -f - "*) cat > "$applied_file" ;;
                    *" get pods "*) printf Succeeded ;;
                    *" get job "*) printf 1/0 ;;
                  esac
                }
                """;
        try {
            Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60), List.of("bash", "-c",
                    PRELUDE + "applied_file=\"$1\" calls_file=\"$2\"; export KIWO_IMAGE_TAG=0.9.0 KIWO_TIMEOUT=10s "
                            + "KIWO_LOAD_ARGS='--duration 20s  --light-rate 2 --burst-heavy-rate 1'; "
                            + "source scripts/lib/k8s.sh; " + fakeKubectl + "k8s_load --context test-context",
                    "_", applied.toString(), calls.toString()));

            assertThat(result.exitCode()).as(result.output()).isZero();
            Map<String, Object> job = single(Files.readString(applied));
            String name = Manifests.name(job);
            assertThat(name).matches("load-generator-[0-9]{14}");
            assertThat(job).isEqualTo(expected(name, "workload-demo", "kiwo/load-generator:0.9.0",
                    List.of("--duration", "20s", "--light-rate", "2", "--burst-heavy-rate", "1")));
            assertThat(Files.readAllLines(calls)).first().isEqualTo("-n workload-demo apply -f -");
        } finally {
            Files.deleteIfExists(applied);
            Files.deleteIfExists(calls);
        }
    }

    /** The rendered manifest with exactly the script's changes made by hand. */
    private static Map<String, Object> expected(String name, String namespace, String image, List<String> flags) {
        Map<String, Object> job = single(Manifests.of(TARGET).yaml);
        assertThat(job.get("kind")).isEqualTo("Job");
        Map<String, Object> metadata = Yamls.map(job.get("metadata"));
        metadata.put("name", name);
        metadata.put("namespace", namespace);
        Map<String, Object> container = Manifests.containers(job).get(0);
        assertThat(container.get("name")).isEqualTo(CONTAINER);
        assertThat(container.get("args")).as("the manifest's own args").isEqualTo(List.of("--target", "http://api:8080"));
        container.put("image", image);
        Yamls.list(container.get("args")).addAll(flags);
        return job;
    }

    private static String run(List<String> command) {
        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60), command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output();
    }

    private static Map<String, Object> single(String yaml) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (doc != null) {
                docs.add(Yamls.map(doc));
            }
        }
        assertThat(docs).as(yaml).hasSize(1);
        return docs.get(0);
    }

    /** The script renders with kubectl kustomize and patches with kubectl patch --local: kustomize alone will not do. */
    private static void requireTools() {
        Tools.require("bash", "install it with your system's package manager");
        Tools.require(Tools.KUBECTL, "install kubectl v1.27+ (https://kubernetes.io/docs/tasks/tools/)");
        Tools.require("jq", "install jq 1.6 or newer with your system's package manager (it builds the load Job's patch)");
    }
}
