package dev.kiwo.api.limits;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-tenant rate limits of one API replica: token buckets that refill at the rate and hold at most the burst.
 * Every request to {@code /jobs} takes a request token; every job accepted for publishing takes a job token (a
 * batch as many as it has valid lines). A rate of 0 switches that limit off. The limits hold per replica, so the
 * cluster admits up to replicas times each rate.
 *
 * @param requestsPerSecond requests per second per tenant (0 = unlimited)
 * @param requestsBurst     requests a tenant may make at once after a quiet spell
 * @param jobsPerSecond     jobs per second per tenant (0 = unlimited)
 * @param jobsBurst         jobs a tenant may submit at once; at least {@code kiwo.api.max-batch-lines}, so every
 *                          batch can pass
 * @param maxTenants        tenants whose buckets are kept; past that the least recently seen are dropped, and a
 *                          dropped tenant starts again with full buckets
 */
@ConfigurationProperties("kiwo.api.limits")
public record LimitProperties(
        @DefaultValue("500") long requestsPerSecond,
        @DefaultValue("1000") long requestsBurst,
        @DefaultValue("5000") long jobsPerSecond,
        @DefaultValue("10000") long jobsBurst,
        @DefaultValue("10000") int maxTenants) {

    public LimitProperties {
        if (requestsPerSecond < 0 || jobsPerSecond < 0) {
            throw new IllegalArgumentException("kiwo.api.limits.*-per-second must not be negative (0 = unlimited)");
        }
        if ((requestsPerSecond > 0 && requestsBurst < 1) || (jobsPerSecond > 0 && jobsBurst < 1)) {
            throw new IllegalArgumentException("kiwo.api.limits.*-burst must be positive when its rate is set");
        }
        if (maxTenants < 1) {
            throw new IllegalArgumentException("kiwo.api.limits.max-tenants must be positive");
        }
    }
}
