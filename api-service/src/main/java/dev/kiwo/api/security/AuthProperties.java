package dev.kiwo.api.security;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may use the API ({@code kiwo.api.auth}). Actuator endpoints and {@code /openapi.yaml} are open in every
 * mode; everything under {@code /jobs} needs a tenant unless the mode is {@code none}.
 *
 * @param mode        {@code none}: every client is tenant {@value Tenant#DEFAULT}; {@code api-key}: the
 *                    {@value ApiKeys#HEADER} header names the tenant through {@code api-keys-file};
 *                    {@code jwt}: a bearer token checked as an OAuth2 resource server
 *                    ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}), whose
 *                    {@code tenant-claim} is the tenant
 * @param apiKeysFile the keys of mode {@code api-key}: one {@code tenant=key} per line (a mounted Secret); read
 *                    once at start-up
 * @param tenantClaim the JWT claim that holds the tenant, a string
 */
@ConfigurationProperties("kiwo.api.auth")
public record AuthProperties(
        @DefaultValue("none") Mode mode,
        Path apiKeysFile,
        @DefaultValue("tenant") String tenantClaim) {

    public AuthProperties {
        if (mode == Mode.API_KEY && apiKeysFile == null) {
            throw new IllegalArgumentException("kiwo.api.auth.mode=api-key needs kiwo.api.auth.api-keys-file");
        }
        if (tenantClaim == null || tenantClaim.isBlank()) {
            throw new IllegalArgumentException("kiwo.api.auth.tenant-claim must not be blank");
        }
    }

    /** How clients authenticate. */
    public enum Mode {
        /** No authentication: every client is the same tenant. For local mode and demos only. */
        NONE,
        /** A static key per tenant in the {@value ApiKeys#HEADER} header. */
        API_KEY,
        /** An OAuth2 bearer token (JWT) carrying the tenant in a claim. */
        JWT
    }
}
