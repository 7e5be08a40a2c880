package dev.kiwo.api.security;

import java.util.List;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Mode {@code jwt}: a valid token whose tenant claim is a string of {@value Tenant#MAX_LENGTH} visible ASCII
 * characters at most runs as that tenant. A valid token without one stays authenticated under its subject but
 * without {@link Tenant#AUTHORITY}, so {@code /jobs} answers it 403.
 */
final class TenantJwtConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private final String claim;

    TenantJwtConverter(String claim) {
        this.claim = claim;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        if (jwt.getClaims().get(claim) instanceof String tenant && Tenant.isAcceptable(tenant)) {
            return new JwtAuthenticationToken(jwt, List.of(Tenant.AUTHORITY), tenant);
        }
        return new JwtAuthenticationToken(jwt, List.of());
    }
}
