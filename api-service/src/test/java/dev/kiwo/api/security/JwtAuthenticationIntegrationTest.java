package dev.kiwo.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.kiwo.api.SharedBrokerProperties;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Mode {@code jwt} as an OAuth2 resource server with real RS256 tokens, checked against a JWK set that a JDK
 * HTTP server serves on a random port, on a real broker.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JwtAuthenticationIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String JOB = "{\"fileSizeMb\":1,\"pageCount\":2,\"imageCount\":0}";
    private static final String KEY_ID = "kiwo-test-key";
    private static final KeyPair ISSUER_KEYS = rsaKeys();
    private static final KeyPair OTHER_KEYS = rsaKeys();
    private static final HttpServer JWKS = serveJwks();

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SharedBrokerProperties.register(registry);
        registry.add("kiwo.api.auth.mode", () -> "jwt");
        registry.add("kiwo.api.auth.tenant-claim", () -> "org");
        registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
                () -> "http://localhost:" + JWKS.getAddress().getPort() + "/jwks.json");
    }

    @AfterAll
    static void stopJwks() {
        JWKS.stop(0);
    }

    @Test
    void aRequestWithoutATokenIs401ProblemWithABearerChallenge() throws Exception {
        HttpResponse<String> response = post(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Bearer"));
        assertProblem(response, 401);
    }

    @Test
    void aTokenWithABadSignatureIs401() throws Exception {
        HttpResponse<String> response = post(token(OTHER_KEYS, "acme", Instant.now().plusSeconds(300)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).contains("invalid_token"));
        assertProblem(response, 401);
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        HttpResponse<String> response = post(token(ISSUER_KEYS, "acme", Instant.now().minusSeconds(600)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertProblem(response, 401);
        assertThat(JSON.readTree(response.body()).get("detail").stringValue()).contains("expired");
    }

    @Test
    void aValidTokenWithoutTheTenantClaimIs403Problem() throws Exception {
        HttpResponse<String> response = post(token(ISSUER_KEYS, null, Instant.now().plusSeconds(300)));

        assertThat(response.statusCode()).isEqualTo(403);
        assertProblem(response, 403);
        assertThat(JSON.readTree(response.body()).get("detail").stringValue()).contains("'org'");
    }

    @Test
    void aValidTokenSubmitsAsItsTenantAndOnlyThatTenantSeesTheJob() throws Exception {
        String acme = token(ISSUER_KEYS, "acme", Instant.now().plusSeconds(300));
        String globex = token(ISSUER_KEYS, "globex", Instant.now().plusSeconds(300));

        HttpResponse<String> accepted = post(acme);

        assertThat(accepted.statusCode()).isEqualTo(202);
        String jobId = JSON.readTree(accepted.body()).get("jobId").stringValue();
        assertThat(send(acme, HttpRequest.newBuilder(uri("/jobs/" + jobId)).GET()).statusCode()).isEqualTo(200);
        assertThat(send(globex, HttpRequest.newBuilder(uri("/jobs/" + jobId)).GET()).statusCode()).isEqualTo(404);
    }

    private void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("instance").stringValue()).isEqualTo("/jobs");
        assertThat(problem.get("correlationId").stringValue())
                .isEqualTo(response.headers().firstValue("X-Correlation-Id").orElseThrow());
    }

    private static String token(KeyPair keys, String tenant, Instant expiresAt) throws JOSEException {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject("client-1")
                .issueTime(Date.from(expiresAt.minusSeconds(900)))
                .expirationTime(Date.from(expiresAt));
        if (tenant != null) {
            claims.claim("org", tenant);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY_ID).build(),
                claims.build());
        jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return jwt.serialize();
    }

    private HttpResponse<String> post(String token) throws Exception {
        return send(token, HttpRequest.newBuilder(uri("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JOB)));
    }

    private HttpResponse<String> send(String token, HttpRequest.Builder request) throws Exception {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The issuer's public key as a JWK set, as an authorization server publishes it. */
    private static HttpServer serveJwks() {
        byte[] jwks = new JWKSet(new RSAKey.Builder((RSAPublicKey) ISSUER_KEYS.getPublic()).keyID(KEY_ID).build())
                .toString().getBytes(StandardCharsets.UTF_8);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/jwks.json", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(jwks);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
