package dev.kiwo.api.status;

import dev.kiwo.model.Job;
import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.JobResult;
import dev.kiwo.model.JobStatusEvent;
import dev.kiwo.model.Topic;
import dev.kiwo.model.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Every job of the last {@code kiwo.topics.status-retention}, built from Kafka by one consumer thread per API
 * replica: {@code jobs.in} (accepted), {@code jobs.status} (queued, running, retrying), {@code jobs.results}
 * (terminal, {@code read_committed}) and {@code jobs.cancellations}. Each replica reads every partition, so any
 * replica answers for any job without asking another; docs/architecture.md weighs this against interactive
 * queries.
 *
 * <p>A job the view does not know yet may just not have been read: a lookup then asks for the end offset of the
 * job's {@code jobs.in} partition and answers only once the view has read that far. The API answers 202 after
 * that record was acknowledged, so a lookup after the 202, on any replica, finds the job.
 *
 * <p>Changes are pushed to {@linkplain #watch watchers} (event streams, waiting requests) on a separate
 * executor, so a slow client never holds up the view.
 *
 * <p>The view holds at most {@code kiwo.api.status.max-jobs} jobs, so a retention's worth of jobs cannot outgrow
 * the heap. Past the cap it drops the jobs that ended longest ago (by last change, as retention does) down to 90 %
 * of the cap, so the scan runs once per tenth of the cap; only if no ended job is left does it drop the unfinished
 * jobs changed longest ago. A dropped job answers 404 like an expired one (a record of it read later starts it
 * again from that record).
 */
final class JobStatusView implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobStatusView.class);

    private static final List<Topic<String, ?>> TOPICS =
            List.of(Topics.JOBS_IN, Topics.JOBS_STATUS, Topics.JOBS_RESULTS, Topics.JOBS_CANCELLATIONS);
    /** Each topic's value deserializer, made once: the view reads every record of the four topics. */
    private static final Map<String, Deserializer<?>> DESERIALIZERS = TOPICS.stream()
            .collect(Collectors.toUnmodifiableMap(Topic::name, topic -> topic.valueSerde().deserializer()));
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration EVICTION_WARNING_INTERVAL = Duration.ofMinutes(1);

    private final Map<String, Object> consumerConfigs;
    private final Duration retention;
    private final int maxJobs;
    private final Duration catchUpTimeout;
    private final Clock clock;
    private final Consumer<Runnable> notifier;
    private final Map<UUID, TrackedJob> jobs = new ConcurrentHashMap<>();
    private final Map<UUID, List<Consumer<TrackedJob>>> watchers = new ConcurrentHashMap<>();
    private final Queue<Lookup> newLookups = new ConcurrentLinkedQueue<>();
    private final List<Lookup> pendingLookups = new ArrayList<>();
    private final Map<String, Long> unreadable = new ConcurrentHashMap<>();
    private final LongAdder evictedEnded = new LongAdder();
    private final LongAdder evictedUnfinished = new LongAdder();

    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile int jobsInPartitions;
    private volatile boolean caughtUp;
    private Map<TopicPartition, Long> startEndOffsets = Map.of();
    private long nextExpiryAt;
    private long nextEndedEvictionWarningAt;
    private long nextUnfinishedEvictionWarningAt;
    private Thread thread;

    /**
     * @param consumerConfigs Kafka client settings (bootstrap servers, security); group, offsets and
     *                        deserializers are the view's own
     * @param maxJobs         most jobs held; past it the oldest ended jobs are dropped first
     * @param notifier        runs watcher notifications off the view's thread
     */
    JobStatusView(Map<String, Object> consumerConfigs, Duration retention, int maxJobs, Duration catchUpTimeout,
                  Clock clock, Consumer<Runnable> notifier) {
        Map<String, Object> configs = new HashMap<>(consumerConfigs);
        configs.remove(ConsumerConfig.GROUP_ID_CONFIG);
        configs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        configs.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        configs.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        configs.put(ConsumerConfig.CLIENT_ID_CONFIG, "kiwo-api-status-view");
        this.consumerConfigs = Map.copyOf(configs);
        this.retention = retention;
        this.maxJobs = maxJobs;
        this.catchUpTimeout = catchUpTimeout;
        this.clock = clock;
        this.notifier = notifier;
    }

    /**
     * The job as the view knows it, after making sure the view has read its {@code jobs.in} record if it was
     * acknowledged before this call, so that its tenant is known too. Empty for a job unknown or expired; fails
     * with {@link StatusViewBehindException} if the view could not read that far within the catch-up timeout.
     */
    CompletableFuture<Optional<TrackedJob>> find(UUID jobId) {
        TrackedJob job = jobs.get(jobId);
        if (job != null && job.owned()) {
            return CompletableFuture.completedFuture(Optional.of(job));
        }
        // Picked up within one poll timeout; waking the consumer instead would let a burst of lookups of
        // unknown ids keep interrupting the view's own requests.
        Lookup lookup = new Lookup(jobId, System.nanoTime() + catchUpTimeout.toNanos());
        newLookups.add(lookup);
        return lookup.result;
    }

    /** The job as last read, without waiting for the view to catch up. */
    Optional<TrackedJob> current(UUID jobId) {
        return Optional.ofNullable(jobs.get(jobId)).filter(TrackedJob::known);
    }

    /**
     * Calls {@code onChange} with every later state of the job, off the view's thread, until the returned
     * action is run. Register before reading the current state, so no change falls in between.
     */
    Runnable watch(UUID jobId, Consumer<TrackedJob> onChange) {
        watchers.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(onChange);
        return () -> watchers.computeIfPresent(jobId, (id, list) -> {
            list.remove(onChange);
            return list.isEmpty() ? null : list;
        });
    }

    /** Waiting requests and event streams, counted per job they watch. */
    int watching() {
        return watchers.values().stream().mapToInt(List::size).sum();
    }

    /** Jobs the view holds. */
    int size() {
        return jobs.size();
    }

    /** Jobs dropped over the cap since start: ended ones, or unfinished ones if {@code ended} is false. */
    long evicted(boolean ended) {
        return ended ? evictedEnded.sum() : evictedUnfinished.sum();
    }

    /** Whether the view has read what its topics held when it started. */
    boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::run, "kiwo-status-view");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> kafka =
                     new KafkaConsumer<>(consumerConfigs, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = kafka;
            boolean assigned = false;
            while (running) {
                try {
                    if (!assigned) {
                        assigned = assign(kafka);
                    }
                    startLookups(kafka, assigned);
                    if (assigned) {
                        for (ConsumerRecord<String, byte[]> record : kafka.poll(POLL_TIMEOUT)) {
                            read(record);
                        }
                        noteCaughtUp(kafka);
                    } else {
                        pause(RETRY_BACKOFF);
                    }
                    finishLookups(kafka);
                    expire();
                } catch (WakeupException stopping) {
                    // stop(): the loop ends
                } catch (KafkaException e) {
                    log.warn("Status view could not read from Kafka, retrying in {}: {}", RETRY_BACKOFF, e.toString());
                    failOverdueLookups();
                    pause(RETRY_BACKOFF);
                }
            }
        } finally {
            consumer = null;
            failLookups();
        }
    }

    /** Assigns every partition of the view's topics, positioned at the start of the retention. */
    private boolean assign(KafkaConsumer<String, byte[]> kafka) {
        List<TopicPartition> partitions = new ArrayList<>();
        int inPartitions = 0;
        for (Topic<String, ?> topic : TOPICS) {
            List<PartitionInfo> infos = kafka.partitionsFor(topic.name(), catchUpTimeout);
            if (infos == null || infos.isEmpty()) {
                log.info("Status view waiting for topic {} to exist", topic.name());
                return false;
            }
            infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            if (topic == Topics.JOBS_IN) {
                inPartitions = infos.size();
            }
        }
        kafka.assign(partitions);
        long since = clock.millis() - retention.toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(partition -> times.put(partition, since));
        Map<TopicPartition, OffsetAndTimestamp> starts = kafka.offsetsForTimes(times, catchUpTimeout);
        List<TopicPartition> older = new ArrayList<>();
        starts.forEach((partition, start) -> {
            if (start == null) {
                older.add(partition);
            } else {
                kafka.seek(partition, start.offset());
            }
        });
        kafka.seekToEnd(older);
        startEndOffsets = kafka.endOffsets(partitions, catchUpTimeout);
        jobsInPartitions = inPartitions;
        log.info("Status view reading {} partitions of {} from {} ago", partitions.size(),
                TOPICS.stream().map(Topic::name).toList(), retention);
        return true;
    }

    private void noteCaughtUp(KafkaConsumer<String, byte[]> kafka) {
        if (caughtUp) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> end : startEndOffsets.entrySet()) {
            if (kafka.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        caughtUp = true;
        log.info("Status view caught up: {} jobs", jobs.size());
    }

    /** Applies one record of the view's topics; package-private for the memory measurement. */
    void read(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        UUID jobId;
        try {
            jobId = UUID.fromString(record.key());
            Object value = DESERIALIZERS.get(record.topic()).deserialize(record.topic(), record.value());
            update(jobId, job -> {
                if (value instanceof Job submitted) {
                    return job.apply(submitted);
                } else if (value instanceof JobStatusEvent event) {
                    return job.apply(event);
                } else if (value instanceof JobResult result) {
                    return job.apply(result);
                }
                return job.apply((JobCancellation) value);
            });
        } catch (RuntimeException e) {
            // Not a job of ours (the dead-letter path handles those); counted, and logged once per topic.
            if (unreadable.merge(record.topic(), 1L, Long::sum) == 1) {
                log.warn("Status view skips unreadable records on {}, first at offset {}: {}", record.topic(),
                        record.offset(), e.toString());
            }
        }
    }

    private void update(UUID jobId, UnaryOperator<TrackedJob> change) {
        TrackedJob before = jobs.getOrDefault(jobId, TrackedJob.UNKNOWN);
        TrackedJob after = change.apply(before);
        if (after == before) {
            return;
        }
        jobs.put(jobId, after);
        if (before == TrackedJob.UNKNOWN && jobs.size() > maxJobs) {
            evictOverCap();
        }
        List<Consumer<TrackedJob>> watching = watchers.get(jobId);
        if (watching != null && after.known()) {
            watching.forEach(watcher -> notifier.accept(() -> watcher.accept(after)));
        }
    }

    /** Gives each new lookup of an unknown job the end offset of its {@code jobs.in} partition to wait for. */
    private void startLookups(KafkaConsumer<String, byte[]> kafka, boolean assigned) {
        List<Lookup> started = new ArrayList<>();
        for (Lookup lookup = newLookups.poll(); lookup != null; lookup = newLookups.poll()) {
            started.add(lookup);
        }
        pendingLookups.addAll(started);
        List<Lookup> untargeted = pendingLookups.stream().filter(lookup -> lookup.endOffset < 0).toList();
        if (!assigned || untargeted.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> ends = kafka.endOffsets(
                untargeted.stream().map(this::partitionOf).distinct().toList(), catchUpTimeout);
        for (Lookup lookup : untargeted) {
            lookup.endOffset = ends.getOrDefault(partitionOf(lookup), Long.MAX_VALUE);
        }
    }

    private void finishLookups(KafkaConsumer<String, byte[]> kafka) {
        long now = System.nanoTime();
        for (Iterator<Lookup> it = pendingLookups.iterator(); it.hasNext(); ) {
            Lookup lookup = it.next();
            TrackedJob job = jobs.get(lookup.jobId);
            if (job != null && job.owned()) {
                lookup.result.complete(Optional.of(job));
            } else if (lookup.endOffset >= 0 && kafka.position(partitionOf(lookup)) >= lookup.endOffset) {
                // A job recorded without a tenant (by an older API) is known here, and belongs to the default one.
                lookup.result.complete(Optional.ofNullable(job).filter(TrackedJob::known));
            } else if (now - lookup.deadline > 0) {
                lookup.result.completeExceptionally(new StatusViewBehindException(catchUpTimeout));
            } else {
                continue;
            }
            it.remove();
        }
    }

    /** Lookups past their deadline while Kafka cannot be read are answered 503 rather than left waiting for it. */
    private void failOverdueLookups() {
        // Lookups made since the last pass too: assigning the partitions may be what keeps failing.
        for (Lookup lookup = newLookups.poll(); lookup != null; lookup = newLookups.poll()) {
            pendingLookups.add(lookup);
        }
        long now = System.nanoTime();
        pendingLookups.removeIf(lookup -> now - lookup.deadline > 0
                && lookup.result.completeExceptionally(new StatusViewBehindException(catchUpTimeout)));
    }

    private void failLookups() {
        newLookups.forEach(pendingLookups::add);
        newLookups.clear();
        pendingLookups.forEach(lookup -> lookup.result.completeExceptionally(
                new StatusViewBehindException(catchUpTimeout)));
        pendingLookups.clear();
    }

    /** The producer's partition of the jobId on {@code jobs.in}, where its accepted record is. */
    private TopicPartition partitionOf(Lookup lookup) {
        byte[] key = lookup.jobId.toString().getBytes(StandardCharsets.UTF_8);
        return new TopicPartition(Topics.JOBS_IN.name(), BuiltInPartitioner.partitionForKey(key, jobsInPartitions));
    }

    /** Forgets jobs whose last change is older than the retention, about ten times per retention period. */
    private void expire() {
        long now = clock.millis();
        if (now < nextExpiryAt) {
            return;
        }
        nextExpiryAt = now + Math.min(retention.toMillis() / 10, Duration.ofMinutes(1).toMillis());
        long oldest = TimeUnit.MILLISECONDS.toMicros(now - retention.toMillis());
        jobs.values().removeIf(job -> job.lastChangeAt() < oldest);
    }

    /** Drops jobs down to 90 % of the cap: ended ones first, unfinished ones only if no ended one is left. */
    private void evictOverCap() {
        int excess = jobs.size() - (maxJobs - maxJobs / 10);
        int ended = evictOldest(excess, true);
        int unfinished = ended < excess ? evictOldest(excess - ended, false) : 0;
        evictedEnded.add(ended);
        evictedUnfinished.add(unfinished);
        long now = clock.millis();
        if (ended > 0 && now >= nextEndedEvictionWarningAt) {
            nextEndedEvictionWarningAt = now + EVICTION_WARNING_INTERVAL.toMillis();
            log.warn("Status view over kiwo.api.status.max-jobs ({}): dropped the {} jobs that ended longest ago;"
                    + " {} ended jobs dropped since start. They answer 404 before their retention ends: give the API"
                    + " more memory and a higher cap, or shorten kiwo.topics.status-retention", maxJobs, ended,
                    evictedEnded.sum());
        }
        if (unfinished > 0 && now >= nextUnfinishedEvictionWarningAt) {
            nextUnfinishedEvictionWarningAt = now + EVICTION_WARNING_INTERVAL.toMillis();
            log.warn("Status view over kiwo.api.status.max-jobs ({}) with no ended job left: dropped {} UNFINISHED"
                    + " jobs, changed longest ago; {} unfinished jobs dropped since start. Their status answers 404"
                    + " until a later record of them is read", maxJobs, unfinished, evictedUnfinished.sum());
        }
    }

    /** Removes up to {@code count} jobs, ended or not as asked, those changed longest ago first. */
    private int evictOldest(int count, boolean ended) {
        long[] changes = jobs.values().stream().filter(job -> job.terminal() == ended)
                .mapToLong(TrackedJob::lastChangeAt).toArray();
        if (changes.length == 0 || count <= 0) {
            return 0;
        }
        Arrays.sort(changes);
        long newestDropped = changes[Math.min(count, changes.length) - 1];
        int removed = 0;
        for (Iterator<TrackedJob> it = jobs.values().iterator(); it.hasNext() && removed < count; ) {
            TrackedJob job = it.next();
            if (job.terminal() == ended && job.lastChangeAt() <= newestDropped) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A lookup of a job the view did not know when asked. Fields other than the result: view thread only. */
    private static final class Lookup {

        final UUID jobId;
        final long deadline;
        final CompletableFuture<Optional<TrackedJob>> result = new CompletableFuture<>();
        long endOffset = -1;

        Lookup(UUID jobId, long deadline) {
            this.jobId = jobId;
            this.deadline = deadline;
        }
    }
}
