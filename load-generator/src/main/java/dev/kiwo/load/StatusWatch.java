package dev.kiwo.load;

import dev.kiwo.model.JobClass;
import dev.kiwo.model.JobStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Learns how accepted jobs ended from the API: {@code GET /jobs/{id}}, first without waiting (most jobs have ended
 * by the time sending stops), then with {@code Prefer: wait} until the job is terminal. It starts once sending is
 * over, so its requests never compete with the POSTs being timed; the latencies come from the job's own
 * {@code submittedAt} and {@code finishedAt}, so when an end is learnt does not change them.
 *
 * <p>At most {@code watchers} requests are in flight. A job still running goes to the back of the queue after each
 * wait, so long heavy jobs take turns with the rest instead of holding every slot.
 */
final class StatusWatch implements CompletionWatch {

    /** The wait asked for on each request after the first: short enough that jobs still running take turns. */
    static final Duration WAIT = Duration.ofSeconds(20);
    /** The pause before asking again when the API did not wait, or failed without a Retry-After. */
    static final Duration PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final URI target;
    private final Duration requestTimeout;
    private final String apiKey;
    private final Executor executor = Executors.newFixedThreadPool(2, LoadRun.daemon("load-status"));
    private final HttpClient http;
    private final Semaphore slots;
    private final Queue<Ask> queue = new ConcurrentLinkedQueue<>();
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Finished> finished = new ConcurrentHashMap<>();
    private final Map<String, JobStatus> lastSeen = new ConcurrentHashMap<>();
    private final Set<String> notFound = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** {@code apiKey}: sent as {@value LoadPlan#API_KEY_HEADER} with every request, or null for none. */
    StatusWatch(URI target, int watchers, Duration requestTimeout, String apiKey) {
        this.target = target;
        this.requestTimeout = requestTimeout;
        this.apiKey = apiKey;
        this.slots = new Semaphore(watchers);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout)
                .executor(executor)
                .build();
    }

    @Override
    public void follow(List<String> jobIds) {
        jobIds.forEach(jobId -> queue.add(new Ask(jobId, false)));
        pump();
    }

    @Override
    public long finished(Collection<String> jobIds) {
        return jobIds.stream().filter(finished::containsKey).count();
    }

    @Override
    public long settled(Collection<String> jobIds) {
        return jobIds.stream().filter(id -> finished.containsKey(id) || notFound.contains(id)).count();
    }

    @Override
    public Outcome outcome() {
        return new Outcome(LoadPlan.Completion.API, Map.copyOf(finished), null, Map.copyOf(lastSeen),
                Set.copyOf(notFound), errors.entrySet().stream()
                        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> e.getValue().sum())));
    }

    /** Stops asking; requests in flight are abandoned, and their jobs count as not ended. */
    @Override
    public void close() {
        closed = true;
        inFlight.forEach(call -> call.cancel(true));
    }

    /** Sends queued asks while a slot is free. A slot is released before this runs, so no ask is left behind. */
    private void pump() {
        while (!closed && !queue.isEmpty() && slots.tryAcquire()) {
            Ask ask = queue.poll();
            if (ask == null) {
                slots.release();
            } else {
                send(ask);
            }
        }
    }

    private void send(Ask ask) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve("/jobs/" + ask.jobId()))
                .timeout(ask.waits() ? requestTimeout.plus(WAIT) : requestTimeout)
                .header("Accept", "application/json")
                .GET();
        if (ask.waits()) {
            request.header("Prefer", "wait=" + WAIT.toSeconds());
        }
        if (apiKey != null) {
            request.header(LoadPlan.API_KEY_HEADER, apiKey);
        }
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofString());
        inFlight.add(call);
        call.whenComplete((response, failure) -> {
            inFlight.remove(call);
            try {
                if (!closed) {
                    handle(ask, response, failure);
                }
            } finally {
                slots.release();
                pump();
            }
        });
    }

    private void handle(Ask ask, HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            error(cause.getClass().getSimpleName());
            later(ask, PAUSE);
            return;
        }
        switch (response.statusCode()) {
            case 200 -> answered(ask, response);
            case 404 -> notFound.add(ask.jobId());
            default -> {
                error("HTTP " + response.statusCode());
                later(ask, retryAfter(response));
            }
        }
    }

    private void answered(Ask ask, HttpResponse<String> response) {
        JobView view;
        try {
            view = JSON.readValue(response.body(), JobView.class);
        } catch (RuntimeException unreadable) {
            error("unreadable status");
            later(ask, PAUSE);
            return;
        }
        if (view.status() != null && view.status().terminal()) {
            finished.put(ask.jobId(), view.finished());
            lastSeen.remove(ask.jobId());
            return;
        }
        lastSeen.put(ask.jobId(), view.status());
        Ask next = new Ask(ask.jobId(), true);
        // Without Preference-Applied the API (or a proxy on the way) answered at once: asking again right away
        // would turn the wait into a busy loop.
        if (ask.waits() && response.headers().firstValue("Preference-Applied").isEmpty()) {
            later(next, PAUSE);
        } else {
            queue.add(next);
        }
    }

    private void later(Ask ask, Duration delay) {
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor).execute(() -> {
            queue.add(ask);
            pump();
        });
    }

    private void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After")
                .filter(value -> !value.isEmpty() && value.length() < 6 && value.chars().allMatch(Character::isDigit))
                .map(value -> Duration.ofSeconds(Long.parseLong(value)))
                .map(wait -> wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait)
                .orElse(PAUSE);
    }

    /** One request to make for a job: the first does not wait, the later ones do. */
    private record Ask(String jobId, boolean waits) {
    }

    /**
     * The fields of the API's {@code JobView} the summary uses; the others are ignored.
     *
     * @param status      where the job is; SUCCEEDED, FAILED and CANCELLED are terminal
     * @param jobClass    the class the classifier gave it, absent before that
     * @param submittedAt when the API accepted it
     * @param finishedAt  when it ended, absent before that
     */
    record JobView(JobStatus status, JobClass jobClass, Instant submittedAt, Instant finishedAt) {

        Finished finished() {
            return new Finished(jobClass, status, submittedAt, finishedAt);
        }
    }
}
