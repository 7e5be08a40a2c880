package dev.kiwo.worker.processing;

import dev.kiwo.model.JobCancellation;
import dev.kiwo.model.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;

/**
 * The cancellations every job of this worker is checked against: all of {@code jobs.cancellations}, read from
 * the beginning by a consumer of its own without a group (every worker needs every request), kept as
 * jobId -> requestedAt for as long as the topic keeps them. A new request arrives within a fetch round trip:
 * the consumer's pending fetch returns as soon as the topic has data.
 * <p>
 * It also knows up to when it has read everything the topic held, so that a finished job can wait until any
 * cancellation requested before it started is known. That is learnt on demand, when a job waits: note the time,
 * ask the brokers for the end offsets, read up to them; every request acknowledged before that time is then
 * read. A consumer's cached lag cannot say this, as it may come from a fetch older than the poll that returned
 * it.
 */
public final class CancellationWatch implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CancellationWatch.class);
    private static final String TOPIC = Topics.JOBS_CANCELLATIONS.name();
    /** How soon the reading thread notices a job waiting for it. */
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(10);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    private static final Duration EXPIRY_INTERVAL = Duration.ofMinutes(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final Function<String, Consumer<String, byte[]>> consumers;
    private final Deserializer<JobCancellation> deserializer = Topics.JOBS_CANCELLATIONS.valueSerde().deserializer();
    private final Duration retention;
    private final Duration startTimeout;
    private final Clock clock;
    private final Map<String, Instant> requestedAt = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    private Instant caughtUpTo = Instant.MIN;
    private Instant wanted = Instant.MIN;
    private volatile boolean running;
    private volatile Consumer<String, byte[]> consumer;
    private CountDownLatch stopping = new CountDownLatch(0);
    private Thread thread;

    /**
     * @param consumers    creates a consumer without a group, given what it is for (to tell them apart by client.id)
     * @param retention    how long a cancellation is kept after it was requested: the topic's retention
     * @param startTimeout how long {@link #start()} waits for the first complete read
     */
    public CancellationWatch(Function<String, Consumer<String, byte[]>> consumers, Duration retention, Duration startTimeout,
                      Clock clock) {
        this.consumers = consumers;
        this.retention = retention;
        this.startTimeout = startTimeout;
        this.clock = clock;
    }

    /** When cancelling the job was first requested, or null when no request for it has been read. */
    public Instant requestedAt(String jobId) {
        return requestedAt.get(jobId);
    }

    /**
     * Waits until every cancellation requested up to {@code instant} has been read, or {@code timeout} passed.
     *
     * @return whether it has been read
     */
    boolean awaitCaughtUpTo(Instant instant, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            if (instant.isAfter(wanted)) {
                wanted = instant;
            }
            while (caughtUpTo.isBefore(instant)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Records one record of the topic: a request, or a tombstone that withdraws one. */
    void accept(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                requestedAt.remove(record.key());
            }
            return;
        }
        JobCancellation cancellation;
        try {
            cancellation = deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.warn("Skipping unreadable cancellation {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        accept(cancellation);
    }

    /** Records a request; a repeated one keeps the first time, from which on the job counts as cancelled. */
    void accept(JobCancellation cancellation) {
        if (!expired(cancellation.requestedAt(), clock.instant())) {
            requestedAt.merge(cancellation.jobId(), cancellation.requestedAt(),
                    (first, again) -> first.isBefore(again) ? first : again);
        }
    }

    /** Forgets the requests older than the retention, as the topic does. */
    void expire() {
        Instant now = clock.instant();
        requestedAt.values().removeIf(at -> expired(at, now));
    }

    /** Every request up to {@code instant} has been read. */
    void caughtUpAsOf(Instant instant) {
        synchronized (progress) {
            if (instant.isAfter(caughtUpTo)) {
                caughtUpTo = instant;
                progress.notifyAll();
            }
        }
    }

    private boolean expired(Instant requested, Instant now) {
        return requested.plus(retention).isBefore(now);
    }

    @Override
    public void start() {
        stopping = new CountDownLatch(1);
        running = true;
        thread = new Thread(this::run, "kiwo-cancellation-watch");
        thread.setDaemon(true);
        thread.start();
        // The first jobs after a start should already see the requests made while no worker ran.
        if (!awaitCaughtUpTo(clock.instant(), startTimeout)) {
            log.info("{} not read to its end within {}; jobs finishing meanwhile wait for it", TOPIC, startTimeout);
        }
    }

    @Override
    public void stop() {
        running = false;
        stopping.countDown();
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            thread.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Started before the listener containers and stopped after them, so every job they run can be checked. */
    @Override
    public int getPhase() {
        return AbstractMessageListenerContainer.DEFAULT_PHASE - 1;
    }

    private void run() {
        while (running) {
            Consumer<String, byte[]> reader = null;
            Consumer<String, byte[]> ends = null;
            try {
                reader = consumers.apply("cancellations");
                consumer = reader;
                // Checked after publishing the consumer: a stop() that did not see it has cleared the flag.
                if (running) {
                    // Only asks for end offsets: a broker answers a connection's requests in order, so on the
                    // reader's connection they would queue behind its pending fetch, for up to fetch.max.wait.ms.
                    ends = consumers.apply("cancellations-end");
                    read(reader, ends);
                }
            } catch (WakeupException | InterruptException stopped) {
                // stop() woke the consumer up.
            } catch (RuntimeException e) {
                log.warn("Reading {} failed, starting over in {}: {}", TOPIC, RETRY_DELAY, e.toString());
                awaitStop(RETRY_DELAY);
            } finally {
                consumer = null;
                for (Consumer<String, byte[]> used : Arrays.asList(reader, ends)) {
                    if (used != null) {
                        used.close(CloseOptions.timeout(CLOSE_TIMEOUT));
                    }
                }
            }
        }
    }

    private void read(Consumer<String, byte[]> reader, Consumer<String, byte[]> ends) {
        List<TopicPartition> partitions = reader.partitionsFor(TOPIC).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException(TOPIC + " does not exist yet");
        }
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        // Assigned but never polled, so it never fetches; its client keeps the end offsets it learns for them.
        ends.assign(partitions);
        Instant nextExpiry = clock.instant().plus(EXPIRY_INTERVAL);
        while (running) {
            reader.poll(POLL_TIMEOUT).forEach(this::accept);
            if (catchUpWanted()) {
                catchUp(reader, ends, partitions);
            }
            Instant now = clock.instant();
            if (now.isAfter(nextExpiry)) {
                expire();
                nextExpiry = now.plus(EXPIRY_INTERVAL);
            }
        }
    }

    private boolean catchUpWanted() {
        synchronized (progress) {
            return wanted.isAfter(caughtUpTo);
        }
    }

    /** Reads up to the end the topic had at a moment, after which every request made before it is known. */
    private void catchUp(Consumer<String, byte[]> reader, Consumer<String, byte[]> ends,
                         List<TopicPartition> partitions) {
        Instant asOf = clock.instant();
        try {
            Map<TopicPartition, Long> end = ends.endOffsets(partitions, END_OFFSETS_TIMEOUT);
            while (partitions.stream().anyMatch(partition -> reader.position(partition, END_OFFSETS_TIMEOUT)
                    < end.get(partition))) {
                if (!running) {
                    return;
                }
                reader.poll(POLL_TIMEOUT).forEach(this::accept);
            }
        } catch (TimeoutException e) {
            // The brokers did not answer in time; the next turn of the loop asks again, the waiting job times out.
            log.debug("Could not learn the end of {}: {}", TOPIC, e.toString());
            return;
        }
        caughtUpAsOf(asOf);
    }

    private void awaitStop(Duration timeout) {
        try {
            stopping.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
