package dev.kiwo.api.status;

import java.io.IOException;
import java.time.Instant;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.MediaType;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One client's {@code GET /jobs/{jobId}/events}: a {@code status} event per change, starting with the current
 * state, ending after a terminal one, with a comment every heartbeat in between. Changes and heartbeats are
 * queued and written by one task at a time, so events keep their order and a slow client holds up only itself.
 */
final class JobEventStream {

    private static final Object HEARTBEAT = new Object();

    private final UUID jobId;
    private final SseEmitter emitter;
    private final Executor writer;
    private final Queue<Object> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile Runnable unwatch;
    private volatile ScheduledFuture<?> heartbeat;
    private TrackedJob lastSent;
    private volatile boolean ended;

    private JobEventStream(UUID jobId, SseEmitter emitter, Executor writer) {
        this.jobId = jobId;
        this.emitter = emitter;
        this.writer = writer;
    }

    /** Opens the stream of a job the view knows. */
    static SseEmitter open(UUID jobId, JobStatusView view, StatusProperties properties, Executor writer,
                           TaskScheduler scheduler) {
        SseEmitter emitter = new SseEmitter(properties.eventsTimeout().toMillis());
        JobEventStream stream = new JobEventStream(jobId, emitter, writer);
        emitter.onCompletion(stream::close);
        emitter.onTimeout(stream::close);
        emitter.onError(error -> stream.close());
        stream.heartbeat = scheduler.scheduleAtFixedRate(() -> stream.offer(HEARTBEAT),
                Instant.now().plus(properties.heartbeat()), properties.heartbeat());
        stream.unwatch = view.watch(jobId, stream::offer);
        view.current(jobId).ifPresent(stream::offer);
        return emitter;
    }

    private void offer(Object item) {
        pending.add(item);
        if (writing.compareAndSet(false, true)) {
            writer.execute(this::write);
        }
    }

    private void write() {
        try {
            for (Object item = pending.poll(); item != null && !ended; item = pending.poll()) {
                send(item);
            }
        } finally {
            writing.set(false);
        }
        // An item offered after the loop ended but before the flag was cleared needs a writer of its own.
        if (!pending.isEmpty() && !ended && writing.compareAndSet(false, true)) {
            writer.execute(this::write);
        }
    }

    private void send(Object item) {
        try {
            if (item == HEARTBEAT) {
                emitter.send(SseEmitter.event().comment("keep-alive"));
                return;
            }
            TrackedJob job = (TrackedJob) item;
            if (job.sameStage(lastSent)) {
                return;
            }
            lastSent = job;
            emitter.send(SseEmitter.event()
                    .name("status")
                    .id(job.status() + "-" + job.attempt())
                    .data(JobView.of(jobId, job), MediaType.APPLICATION_JSON));
            if (job.terminal()) {
                ended = true;
                emitter.complete();
            }
        } catch (IOException | IllegalStateException gone) {
            // The client left or the stream timed out; the emitter's callbacks close the rest.
            ended = true;
            close();
        }
    }

    private void close() {
        ended = true;
        ScheduledFuture<?> beat = heartbeat;
        if (beat != null) {
            beat.cancel(false);
        }
        Runnable stopWatching = unwatch;
        if (stopWatching != null) {
            stopWatching.run();
        }
    }
}
