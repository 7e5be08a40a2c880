package dev.kiwo.api.status;

import dev.kiwo.api.security.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /jobs/{jobId}} (optionally waiting with {@code Prefer: wait=N}), {@code GET /jobs/{jobId}/events}
 * and {@code DELETE /jobs/{jobId}}, each for the request's tenant: another tenant's job is answered like one that
 * does not exist. Every answer is asynchronous: no request thread waits for Kafka.
 */
@RestController
class JobStatusController {

    private final JobStatusService jobs;

    JobStatusController(JobStatusService jobs) {
        this.jobs = jobs;
    }

    @GetMapping(path = "/jobs/{jobId}", produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<JobView>> status(@PathVariable String jobId,
            @RequestHeader(name = PreferWait.PREFER, required = false) List<String> prefer,
            HttpServletRequest request) {
        Optional<Duration> wait = PreferWait.parse(prefer, jobs.maxWait());
        CompletableFuture<JobView> view = wait.isEmpty()
                ? jobs.status(jobId, Tenant.of(request))
                : jobs.awaitEnd(jobId, Tenant.of(request), wait.get());
        return view.thenApply(found -> PreferWait.headers(ResponseEntity.ok(), wait).body(found));
    }

    @GetMapping(path = "/jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    CompletableFuture<SseEmitter> events(@PathVariable String jobId, HttpServletRequest request) {
        return jobs.events(jobId, Tenant.of(request));
    }

    @DeleteMapping(path = "/jobs/{jobId}", produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<JobView>> cancel(@PathVariable String jobId, HttpServletRequest request) {
        return jobs.cancel(jobId, Tenant.of(request)).thenApply(view -> ResponseEntity.accepted().body(view));
    }
}
