package dev.kiwo.api.security;

import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may use the API, by {@code kiwo.api.auth.mode}: everything under {@code /jobs} needs a tenant
 * ({@link Tenant}), other paths (actuator, {@code /openapi.yaml}) are open. Stateless: no session, no CSRF token
 * (no cookies are used), no login page. The dispatch that writes an asynchronous answer is not checked again; its
 * request was.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(AuthProperties.class)
public class ApiSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiSecurityConfiguration.class);

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, AuthProperties auth, ObjectProvider<JwtDecoder> jwtDecoders) {
        SecurityProblems problems = new SecurityProblems(auth);
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems));
        switch (auth.mode()) {
            case NONE -> {
                log.warn("kiwo.api.auth.mode=none: no authentication. Any client that reaches the API may submit "
                        + "jobs and read and cancel every job (all are tenant '{}'). Use api-key or jwt outside "
                        + "local mode.", Tenant.DEFAULT);
                return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll()).build();
            }
            case API_KEY -> {
                ApiKeys keys = ApiKeys.load(auth.apiKeysFile());
                log.info("kiwo.api.auth.mode=api-key: {} keys of {} tenants from {}", keys.size(), keys.tenants(),
                        auth.apiKeysFile());
                http.addFilterBefore(new ApiKeyAuthenticationFilter(keys, problems),
                        AnonymousAuthenticationFilter.class);
            }
            case JWT -> {
                JwtDecoder decoder = jwtDecoders.getIfAvailable();
                if (decoder == null) {
                    throw new IllegalStateException("kiwo.api.auth.mode=jwt needs "
                            + "spring.security.oauth2.resourceserver.jwt.issuer-uri or "
                            + "spring.security.oauth2.resourceserver.jwt.jwk-set-uri");
                }
                log.info("kiwo.api.auth.mode=jwt: bearer tokens, tenant from claim '{}'", auth.tenantClaim());
                http.oauth2ResourceServer(server -> server
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems)
                        .jwt(jwt -> jwt.decoder(decoder)
                                .jwtAuthenticationConverter(new TenantJwtConverter(auth.tenantClaim()))));
            }
        }
        return http.authorizeHttpRequests(requests -> requests
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/jobs", "/jobs/**").hasAuthority(Tenant.AUTHORITY.getAuthority())
                        .anyRequest().permitAll())
                .build();
    }

    /**
     * Spring Security's firewall still refuses suspicious URLs (encoded slashes, path parameters, ...), answered
     * as a 400 problem. Headers and parameters it would refuse only when read, deep inside a controller; the API
     * checks the headers it reads itself and reports them as fields of a 400.
     */
    @Bean
    WebSecurityCustomizer apiFirewall(AuthProperties auth) {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(name -> true);
        firewall.setAllowedHeaderValues(value -> true);
        firewall.setAllowedParameterNames(name -> true);
        firewall.setAllowedParameterValues(value -> true);
        return web -> web.httpFirewall(firewall).requestRejectedHandler(new SecurityProblems(auth));
    }
}
