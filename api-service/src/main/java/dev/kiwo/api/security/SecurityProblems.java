package dev.kiwo.api.security;

import dev.kiwo.api.web.CorrelationId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answers of the security layer as RFC 9457 problems ({@code application/problem+json}) with the request's
 * correlation id, like every other error of the API: 401 without valid credentials (with
 * {@code WWW-Authenticate}), 403 for credentials without a tenant, 400 for a request the firewall refuses.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    /** What a 401 of mode {@code api-key} asks for; there is no registered scheme for API keys. */
    static final String API_KEY_CHALLENGE = "ApiKey realm=\"kiwo\", header=\"" + ApiKeys.HEADER + "\"";

    private static final JsonMapper JSON = JsonMapper.shared();

    private final AuthProperties.Mode mode;
    private final String tenantClaim;
    private final BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();

    SecurityProblems(AuthProperties properties) {
        this.mode = properties.mode();
        this.tenantClaim = properties.tenantClaim();
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        String detail;
        if (mode == AuthProperties.Mode.JWT) {
            // Sets the Bearer challenge, with error="invalid_token" and its description for a bad token.
            bearer.commence(request, response, failure);
            detail = failure instanceof OAuth2AuthenticationException invalid
                    ? "The bearer token is not valid: " + invalid.getError().getDescription()
                    : "A bearer token is required (Authorization: Bearer ...)";
        } else {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, API_KEY_CHALLENGE);
            detail = request.getHeader(ApiKeys.HEADER) == null
                    ? "An API key is required in the " + ApiKeys.HEADER + " header"
                    : "The API key is not valid";
        }
        write(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", detail, null);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        String detail = mode == AuthProperties.Mode.JWT
                ? "The token carries no tenant: it needs a claim '" + tenantClaim + "' of " + Tenant.REQUIREMENT
                : "The credentials carry no tenant";
        write(request, response, HttpStatus.FORBIDDEN, "Forbidden", detail, null);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        write(request, response, HttpStatus.BAD_REQUEST, "Invalid request", "The request was rejected",
                List.of(Map.of("field", "url", "message", rejected.getMessage())));
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
                              String title, String detail, List<Map<String, String>> errors) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        if (errors != null) {
            problem.put("errors", errors);
        }
        Object correlationId = request.getAttribute(CorrelationId.ATTRIBUTE);
        if (correlationId != null) {
            problem.put("correlationId", correlationId);
        }
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }
}
