package dev.kiwo.api.limits;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.api.security.Tenant;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** The buckets' rules that need no server: start-up checks, 0 as unlimited, and the tenant without a principal. */
class TenantRateLimitsTest {

    @Test
    void aJobBurstBelowTheBatchSizeIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new TenantRateLimits(new LimitProperties(10, 10, 10, 999, 100), 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kiwo.api.limits.jobs-burst (999)")
                .hasMessageContaining("kiwo.api.max-batch-lines (1000)");
        assertThatCode(() -> new TenantRateLimits(new LimitProperties(10, 10, 0, 0, 100), 1000))
                .as("no job limit, no burst needed").doesNotThrowAnyException();
    }

    @Test
    void aRateOfZeroIsUnlimited() {
        TenantRateLimits limits = new TenantRateLimits(new LimitProperties(0, 0, 0, 0, 100), 1000);
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/jobs");
        RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
        try {
            for (int i = 0; i < 10_000; i++) {
                limits.takeRequest(request);
                limits.takeJobs(Tenant.DEFAULT, 1000);
            }
        } finally {
            RequestContextHolder.resetRequestAttributes();
        }
    }

    @Test
    void requestsWithoutAPrincipalShareTheDefaultTenantsBucket() {
        TenantRateLimits limits = new TenantRateLimits(new LimitProperties(1, 2, 0, 0, 100), 1000);
        MockHttpServletRequest first = new MockHttpServletRequest("GET", "/jobs/x");
        MockHttpServletRequest second = new MockHttpServletRequest("GET", "/jobs/y");
        MockHttpServletRequest acme = new MockHttpServletRequest("GET", "/jobs/z");
        acme.setUserPrincipal(() -> "acme");

        limits.takeRequest(first);
        limits.takeRequest(second);

        assertThatThrownBy(() -> limits.takeRequest(first)).isInstanceOf(RateLimitedException.class);
        assertThatCode(() -> limits.takeRequest(acme)).doesNotThrowAnyException();
    }

    @Test
    void aNegativeRateIsRefused() {
        assertThatThrownBy(() -> new LimitProperties(-1, 1, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LimitProperties(5, 0, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
