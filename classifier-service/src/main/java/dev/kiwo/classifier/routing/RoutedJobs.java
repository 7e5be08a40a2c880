package dev.kiwo.classifier.routing;

import dev.kiwo.classifier.model.CostSample;
import dev.kiwo.model.Job;
import dev.kiwo.model.JobClass;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The value of the routed-jobs store: the class a job was routed to and its sizes, {@code HEAVY|49.0|199|49}. The
 * dedupe check reads the class; learning reads the sizes when the job's result arrives. A value written before the
 * sizes were kept is the class alone, and gives no sample.
 */
final class RoutedJobs {

    private static final char SEPARATOR = '|';

    private RoutedJobs() {
    }

    /**
     * The store's value for {@code jobId}, looking {@code retentionMs} both ways from {@code timestamp} in record
     * time (replicas' clocks differ, so a repeat or a result may carry an earlier timestamp than the routed record);
     * null when there is none.
     */
    static String find(WindowStore<String, String> store, String jobId, long timestamp, long retentionMs) {
        long from = Math.max(0, timestamp - retentionMs);
        long to = timestamp > Long.MAX_VALUE - retentionMs ? Long.MAX_VALUE : timestamp + retentionMs;
        try (WindowStoreIterator<String> routed = store.fetch(jobId, from, to)) {
            return routed.hasNext() ? routed.next().value : null;
        }
    }

    static String value(JobClass jobClass, Job job) {
        return jobClass.name() + SEPARATOR + job.fileSizeMb() + SEPARATOR + job.pageCount() + SEPARATOR
                + job.imageCount();
    }

    /** The class the job was routed to. */
    static String jobClass(String value) {
        int end = value.indexOf(SEPARATOR);
        return end < 0 ? value : value.substring(0, end);
    }

    /** What was learned: the routed job's sizes with the measured time; null for a value without sizes. */
    static CostSample sample(String value, long costMs) {
        String[] parts = value.split("\\|");
        if (parts.length != 4) {
            return null;
        }
        try {
            return new CostSample(Double.parseDouble(parts[1]), Integer.parseInt(parts[2]),
                    Integer.parseInt(parts[3]), costMs);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
