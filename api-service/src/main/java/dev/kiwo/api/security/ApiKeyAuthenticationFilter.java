package dev.kiwo.api.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Mode {@code api-key}: a request with the {@value ApiKeys#HEADER} header runs as the key's tenant; a key that is
 * not known is answered 401 at once. A request without the header goes on unauthenticated, and the authorization
 * rules answer 401 where a tenant is needed. Not a bean, so the servlet container does not run it a second time.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final ApiKeys keys;
    private final AuthenticationEntryPoint entryPoint;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
    private final SecurityContextRepository repository = new RequestAttributeSecurityContextRepository();

    ApiKeyAuthenticationFilter(ApiKeys keys, AuthenticationEntryPoint entryPoint) {
        this.keys = keys;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(ApiKeys.HEADER);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<String> tenant = keys.tenantOf(presented);
        if (tenant.isEmpty()) {
            contexts.clearContext();
            entryPoint.commence(request, response, new BadCredentialsException("The API key is not valid"));
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(tenant.get(), null, List.of(Tenant.AUTHORITY)));
        contexts.setContext(context);
        // Kept for the dispatch that writes an asynchronous answer.
        repository.saveContext(context, request, response);
        chain.doFilter(request, response);
    }
}
