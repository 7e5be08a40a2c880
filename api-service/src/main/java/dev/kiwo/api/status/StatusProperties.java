package dev.kiwo.api.status;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the job status endpoints. How long a job stays known is {@code kiwo.topics.status-retention}.
 *
 * @param catchUpTimeout how long a lookup of a job the view does not know waits for the view to read up to the
 *                       end of the job's {@code jobs.in} partition before answering 404 (or 503 if it could not)
 * @param maxWait        the longest {@code Prefer: wait} honoured; longer requests wait this long
 * @param heartbeat      how often an idle event stream sends a comment, so proxies keep it open
 * @param eventsTimeout  how long an event stream stays open before the server ends it; clients reconnect
 * @param maxJobs        most jobs the view holds, whatever the retention; past it the view drops the jobs that
 *                       ended longest ago (down to 90 % of the cap), and unfinished ones only if no ended job is left
 */
@ConfigurationProperties("kiwo.api.status")
public record StatusProperties(
        @DefaultValue("2s") Duration catchUpTimeout,
        @DefaultValue("60s") Duration maxWait,
        @DefaultValue("15s") Duration heartbeat,
        @DefaultValue("30m") Duration eventsTimeout,
        @DefaultValue("1000000") int maxJobs) {

    public StatusProperties {
        if (catchUpTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("kiwo.api.status.catch-up-timeout must be at least 100ms");
        }
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("kiwo.api.status.max-wait must be from 0 to 60s");
        }
        if (heartbeat.toMillis() < 100 || eventsTimeout.compareTo(heartbeat) <= 0) {
            throw new IllegalArgumentException(
                    "kiwo.api.status.heartbeat must be at least 100ms and below kiwo.api.status.events-timeout");
        }
        if (maxJobs < 10) {
            throw new IllegalArgumentException("kiwo.api.status.max-jobs must be at least 10");
        }
    }
}
