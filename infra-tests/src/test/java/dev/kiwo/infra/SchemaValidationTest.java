package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered object against the OpenAPI-derived JSON schema of a current Kubernetes release
 * (kubernetes-validate, strict: an unknown or misplaced field fails). All our kinds are core API
 * kinds, so no custom resource needs skipping.
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
        Files.writeString(file, manifests.yaml);

        Tools.Result result = Tools.run(Repo.root(), Duration.ofSeconds(60),
                List.of(Tools.VALIDATOR, "--strict", "--quiet", "-k", KUBERNETES_VERSION, file.toString()));

        assertThat(result.exitCode()).as("%s against Kubernetes %s:%n%s", target, KUBERNETES_VERSION, result.output())
                .isZero();
        assertThat(result.output()).as("%s", target).doesNotContain("ERROR");
    }
}
