package dev.kiwo.api.limits;

import dev.kiwo.api.ApiProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Per-tenant rate limits on {@code /jobs} and {@code /jobs/**}: an interceptor takes a request token before the
 * handler runs (after authentication, which is a servlet filter, so the tenant is known); the submitting
 * controllers take job tokens through {@link TenantRateLimits#takeJobs}. A 429 is thrown as an exception, so it is
 * a problem like every other error.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LimitProperties.class)
class RateLimitConfiguration implements WebMvcConfigurer {

    private final ObjectProvider<TenantRateLimits> limits;

    RateLimitConfiguration(ObjectProvider<TenantRateLimits> limits) {
        this.limits = limits;
    }

    @Bean
    TenantRateLimits tenantRateLimits(LimitProperties properties, ApiProperties api) {
        return new TenantRateLimits(properties, api.maxBatchLines());
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        TenantRateLimits rateLimits = limits.getObject();
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                // An asynchronous answer is dispatched again; only the request itself counts.
                if (request.getDispatcherType() == DispatcherType.REQUEST) {
                    rateLimits.takeRequest(request);
                }
                return true;
            }
        }).addPathPatterns("/jobs", "/jobs/**");
    }
}
