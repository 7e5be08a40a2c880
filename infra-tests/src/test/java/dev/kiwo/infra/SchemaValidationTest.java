package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Every rendered object against the OpenAPI-derived JSON schema of a current Kubernetes release
 * (kubernetes-validate, strict: an unknown or misplaced field fails). Custom resources (KEDA's
 * ScaledObject, the Prometheus operator's PodMonitor, the VerticalPodAutoscaler) have no schema there: they
 * are left out of the file and checked in {@link CustomResourcesTest}.
 */
class SchemaValidationTest {

    private static final String KUBERNETES_VERSION = System.getProperty("kiwo.k8s.schema-version", "1.34.0");

    static List<RenderTarget> targets() {
        return RenderTarget.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyObjectMatchesTheKubernetesSchema(RenderTarget target) throws IOException {
        Manifests manifests = Manifests.of(target);
        Tools.requireValidator();
        Path file = Repo.work().resolve(target.name().replace('/', '_') + ".rendered.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, new Yaml(blockStyle()).dumpAll(manifests.objects.stream()
                .filter(o -> !Manifests.isCustomResource(o)).iterator()));

        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60),
                List.of(Tools.VALIDATOR, "--strict", "--quiet", "-k", KUBERNETES_VERSION, file.toString()));

        assertThat(result.exitCode()).as("%s against Kubernetes %s:%n%s", target, KUBERNETES_VERSION, result.output())
                .isZero();
        assertThat(result.output()).as("%s", target).doesNotContain("ERROR");
    }

    private static DumperOptions blockStyle() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return options;
    }
}
