package dev.kiwo.model;

import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic kiwo uses. The record key is the jobId everywhere but on {@link #JOBS_ROUTING} and
 * {@link #JOBS_ROUTING_MODEL}.
 */
public final class Topics {

    /** Jobs as accepted by the API. */
    public static final Topic<String, Job> JOBS_IN =
            new Topic<>("jobs.in", Serdes.String(), new JsonSerde<>(Job.class));

    /** Jobs the classifier routed to the light pool. */
    public static final Topic<String, ClassifiedJob> JOBS_LIGHT =
            new Topic<>("jobs.light", Serdes.String(), new JsonSerde<>(ClassifiedJob.class));

    /** Jobs the classifier routed to the heavy pool. */
    public static final Topic<String, ClassifiedJob> JOBS_HEAVY =
            new Topic<>("jobs.heavy", Serdes.String(), new JsonSerde<>(ClassifiedJob.class));

    /** One terminal result per job. */
    public static final Topic<String, JobResult> JOBS_RESULTS =
            new Topic<>("jobs.results", Serdes.String(), new JsonSerde<>(JobResult.class));

    /** Non-terminal status changes (QUEUED, RUNNING, RETRYING), read by the API's status view. */
    public static final Topic<String, JobStatusEvent> JOBS_STATUS =
            new Topic<>("jobs.status", Serdes.String(), new JsonSerde<>(JobStatusEvent.class));

    /** Cancellation requests, compacted: the latest per job. Read by every worker. */
    public static final Topic<String, JobCancellation> JOBS_CANCELLATIONS =
            new Topic<>("jobs.cancellations", Serdes.String(), new JsonSerde<>(JobCancellation.class));

    /**
     * The classifier's routing configuration, compacted to the latest record under {@link RoutingConfig#KEY}. Read
     * by every classifier instance as a global table; the one exception to "the key is the jobId".
     */
    public static final Topic<String, RoutingConfig> JOBS_ROUTING =
            new Topic<>("jobs.routing", Serdes.String(), new JsonSerde<>(RoutingConfig.class));

    /**
     * The classifier's learned cost model, compacted to the latest state under one key. Written and read only by
     * the classifier, so its value is opaque here: the classifier owns the format.
     */
    public static final Topic<String, byte[]> JOBS_ROUTING_MODEL =
            new Topic<>("jobs.routing.model", Serdes.String(), Serdes.ByteArray());

    /** Records that could not be read or processed: the original bytes, with headers saying why. */
    public static final Topic<byte[], byte[]> JOBS_DLQ =
            new Topic<>("jobs.dlq", Serdes.ByteArray(), Serdes.ByteArray());

    private Topics() {
    }

    /** The topic a pool consumes for a class of jobs. */
    public static Topic<String, ClassifiedJob> forClass(JobClass jobClass) {
        return jobClass == JobClass.HEAVY ? JOBS_HEAVY : JOBS_LIGHT;
    }
}
