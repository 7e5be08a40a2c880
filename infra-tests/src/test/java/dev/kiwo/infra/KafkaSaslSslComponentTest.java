package dev.kiwo.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * components/kafka-sasl-ssl, on base and on top of each overlay: every kiwo Deployment talks SASL_SSL with
 * SCRAM-SHA-512, its login comes from the credentials Secret and no manifest holds a password, and it trusts the
 * CA certificate mounted from the CA Secret. With the production overlay's network policies the TLS port is open.
 */
class KafkaSaslSslComponentTest {

    private static final String CA_DIR = "/etc/kiwo/kafka-ca";

    static List<String> targets() {
        List<String> targets = RenderTarget.withBase().stream().map(RenderTarget::name)
                .filter(name -> name.endsWith("kafka-sasl-ssl")).toList();
        // A renamed component must not leave this test empty.
        assertThat(targets).contains("base+kafka-sasl-ssl", "overlays/kind+kafka-sasl-ssl",
                "overlays/production+kafka-sasl-ssl");
        return targets;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyDeploymentLogsInWithScramOverTlsFromSecrets(String target) {
        Manifests m = Manifests.of(target);
        List<Map<String, Object>> deployments = m.ofKind("Deployment");
        assertThat(deployments).extracting(Manifests::name)
                .containsExactlyInAnyOrder("api", "classifier", "worker-light", "worker-heavy");
        for (Map<String, Object> deployment : deployments) {
            String at = target + " deployment/" + Manifests.name(deployment);
            Map<String, Object> container = Manifests.containers(deployment).get(0);
            Map<String, String> env = m.environment(container);
            assertThat(env).as(at).containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512")
                    .containsEntry("SPRING_KAFKA_SSL_TRUSTSTORETYPE", "PEM")
                    .containsEntry("SPRING_KAFKA_SSL_TRUSTSTORELOCATION", "file:" + CA_DIR + "/ca.crt");
            assertThat(env.get("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG")).as(at)
                    .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required ")
                    .contains("username=\"${KAFKA_SASL_USERNAME}\"", "password=\"${KAFKA_SASL_PASSWORD}\"")
                    .endsWith(";");
            assertThat(Yamls.list(container.get("envFrom"))).as(at)
                    .anySatisfy(from -> assertThat(Yamls.str(Yamls.at(Yamls.map(from), "secretRef", "name")))
                            .isEqualTo("kiwo-kafka-credentials"));

            Map<String, Object> mount = Yamls.list(container.get("volumeMounts")).stream().map(Yamls::map)
                    .filter(v -> CA_DIR.equals(v.get("mountPath"))).findFirst()
                    .orElseThrow(() -> new AssertionError(at + ": nothing mounted at " + CA_DIR));
            assertThat(mount.get("readOnly")).as(at).isEqualTo(true);
            Map<String, Object> volume = Yamls.list(Manifests.podSpec(deployment).get("volumes")).stream()
                    .map(Yamls::map).filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
            assertThat(Yamls.str(Yamls.at(volume, "secret", "secretName"))).as(at).isEqualTo("kiwo-kafka-ca");
        }
        // The password is in the Secret only; the component brings no Secret of its own.
        assertThat(m.ofKind("Secret")).as(target).isEmpty();
    }

    @Test
    void withNetworkPoliciesThePodsMayReachTheTlsListener() {
        Manifests production = Manifests.of("overlays/production+kafka-sasl-ssl");

        Map<String, Object> egress = production.find("NetworkPolicy", "allow-kafka-egress").orElseThrow();
        List<Object> ports = Yamls.list(Yamls.map(Yamls.list(Yamls.at(egress, "spec", "egress")).get(0)).get("ports"));
        assertThat(ports).extracting(p -> String.valueOf(Yamls.map(p).get("port"))).contains("9092", "9093");
    }
}
