package dev.kiwo.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.api.ApiApplication;
import dev.kiwo.testsupport.KafkaTestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** What each {@code kiwo.api.auth.mode} does at start-up: a loud warning for none, a clear failure when unusable. */
@ExtendWith(OutputCaptureExtension.class)
class AuthModeStartupTest {

    @TempDir
    Path dir;

    @Test
    void modeNoneWarnsAndLetsEveryoneInAsTheDefaultTenant(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext api = start("--kiwo.api.auth.mode=none")) {
            assertThat(output.getOut()).containsPattern(
                    "WARN .*kiwo.api.auth.mode=none: no authentication. Any client that reaches the API may submit "
                            + "jobs and read and cancel every job");
            assertThat(output.getOut()).doesNotContain("generated security password");
            int port = Integer.parseInt(api.getEnvironment().getProperty("local.server.port"));
            HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/jobs/" + UUID.randomUUID()))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).as("no authentication asked for").isEqualTo(404);
        }
    }

    @Test
    void modeApiKeyWithoutAReadableKeysFileFailsNamingIt() {
        Path missing = dir.resolve("api-keys");

        assertThatThrownBy(() -> start("--kiwo.api.auth.mode=api-key", "--kiwo.api.auth.api-keys-file=" + missing))
                .hasStackTraceContaining("kiwo.api.auth.api-keys-file " + missing + " could not be read");
        assertThatThrownBy(() -> start("--kiwo.api.auth.mode=api-key"))
                .rootCause().hasMessageContaining("kiwo.api.auth.mode=api-key needs kiwo.api.auth.api-keys-file");
    }

    @Test
    void modeJwtWithoutAnIssuerOrJwkSetFailsNamingTheProperties() {
        assertThatThrownBy(() -> start("--kiwo.api.auth.mode=jwt"))
                .rootCause().hasMessageContaining("kiwo.api.auth.mode=jwt needs "
                        + "spring.security.oauth2.resourceserver.jwt.issuer-uri or "
                        + "spring.security.oauth2.resourceserver.jwt.jwk-set-uri");
    }

    private static ConfigurableApplicationContext start(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "--server.port=0";
        all[1] = "--management.server.port=0";
        all[2] = "--spring.kafka.bootstrap-servers=" + KafkaTestBroker.bootstrapServers();
        System.arraycopy(args, 0, all, 3, args.length);
        return new SpringApplicationBuilder(ApiApplication.class).run(all);
    }
}
