package dev.kiwo.api.security;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.regex.Pattern;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The tenant a request runs for: who submitted a job, and so who may read and cancel it. Once a request to
 * {@code /jobs} is authenticated its principal's name is the tenant (an API key's tenant, or the JWT's tenant
 * claim); without authentication ({@code kiwo.api.auth.mode=none}) every request is tenant {@value #DEFAULT}.
 */
public final class Tenant {

    /** The tenant of every request in mode {@code none}, and the owner of jobs recorded without a tenant. */
    public static final String DEFAULT = "default";

    /** Granted to an authentication that carries a valid tenant; {@code /jobs} requires it. */
    static final GrantedAuthority AUTHORITY = new SimpleGrantedAuthority("KIWO_TENANT");

    static final int MAX_LENGTH = 128;

    /** Visible ASCII, like idempotency keys and correlation ids: safe in logs, metrics and the jobId derivation. */
    private static final Pattern ACCEPTABLE = Pattern.compile("[\\x21-\\x7e]{1," + MAX_LENGTH + "}");

    static final String REQUIREMENT = "1 to " + MAX_LENGTH + " visible ASCII characters other than '" + DEFAULT + "'";

    private Tenant() {
    }

    /** The request's tenant: its authenticated principal's name, or {@value #DEFAULT} when there is none. */
    public static String of(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal == null ? DEFAULT : principal.getName();
    }

    /**
     * A tenant an API key or a token may name. {@value #DEFAULT} is reserved: jobs recorded without a tenant (by an
     * older API) belong to it, and no authenticated client may read those.
     */
    static boolean isAcceptable(String tenant) {
        return tenant != null && !DEFAULT.equals(tenant) && ACCEPTABLE.matcher(tenant).matches();
    }
}
