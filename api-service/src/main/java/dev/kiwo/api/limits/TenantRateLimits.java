package dev.kiwo.api.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.kiwo.api.security.Tenant;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;

/**
 * The token buckets of each tenant (Bucket4j, in memory): one for requests, one for jobs. The buckets live in a
 * bounded cache (Caffeine), so many tenants cannot fill the heap: a tenant idle for as long as its buckets take to
 * refill completely is dropped (a new bucket would look the same), and past {@code kiwo.api.limits.max-tenants}
 * the least recently seen go first.
 */
public final class TenantRateLimits {

    private final LimitProperties limits;
    private final Cache<String, Buckets> buckets;

    TenantRateLimits(LimitProperties limits, int maxBatchLines) {
        if (limits.jobsPerSecond() > 0 && limits.jobsBurst() < maxBatchLines) {
            throw new IllegalArgumentException("kiwo.api.limits.jobs-burst (" + limits.jobsBurst()
                    + ") must be at least kiwo.api.max-batch-lines (" + maxBatchLines + "), or a full batch could"
                    + " never pass");
        }
        this.limits = limits;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(limits.maxTenants())
                .expireAfterAccess(refillTime(limits))
                .build();
    }

    /** Takes one request token of the request's tenant, or fails with a 429. */
    void takeRequest(HttpServletRequest request) {
        if (limits.requestsPerSecond() == 0) {
            return;
        }
        take(bucketsOf(Tenant.of(request)).requests(), 1, "requests",
                limits.requestsPerSecond() + " requests per second");
    }

    /**
     * Takes a job token per job from the tenant, all or none, or fails with a 429. Called for the jobs about to be
     * published, after validation and the idempotency lookup, so a repeat that publishes nothing costs none.
     */
    public void takeJobs(String tenant, int jobs) {
        if (limits.jobsPerSecond() == 0 || jobs == 0) {
            return;
        }
        take(bucketsOf(tenant).jobs(), jobs, "jobs", limits.jobsPerSecond() + " jobs per second");
    }

    private Buckets bucketsOf(String tenant) {
        return buckets.get(tenant, t -> new Buckets(
                bucket(limits.requestsPerSecond(), limits.requestsBurst()),
                bucket(limits.jobsPerSecond(), limits.jobsBurst())));
    }

    private static void take(Bucket bucket, int tokens, String limit, String rate) {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(tokens);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new RateLimitedException(limit, "Rate limit of " + rate + " exceeded"
                    + (tokens > 1 ? " (" + tokens + " jobs asked for)" : "") + ", retry after " + seconds + " s",
                    Duration.ofSeconds(seconds));
        }
    }

    private static Bucket bucket(long perSecond, long burst) {
        if (perSecond == 0) {
            return null;
        }
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build();
    }

    /** How long an empty bucket takes to be full again: after that a tenant's buckets are as good as new. */
    private static Duration refillTime(LimitProperties limits) {
        long millis = 1000;
        if (limits.requestsPerSecond() > 0) {
            millis = Math.max(millis, limits.requestsBurst() * 1000 / limits.requestsPerSecond() + 1);
        }
        if (limits.jobsPerSecond() > 0) {
            millis = Math.max(millis, limits.jobsBurst() * 1000 / limits.jobsPerSecond() + 1);
        }
        return Duration.ofMillis(millis);
    }

    /** A tenant's buckets; a bucket is null where its limit is off. */
    private record Buckets(Bucket requests, Bucket jobs) {
    }
}
