package dev.kiwo.load;

import dev.kiwo.model.JobStatus;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows a run's accepted jobs to their end: {@link ResultTracker} on {@code jobs.results}, {@link StatusWatch}
 * through the API.
 */
interface CompletionWatch extends AutoCloseable {

    /** Follows these jobs, in this order; called once, when sending is over. */
    void follow(List<String> jobIds);

    /** How many of these jobs are known to have ended. */
    long finished(Collection<String> jobIds);

    /** How many of these jobs need no more following: they ended, or the source says they never will. */
    long settled(Collection<String> jobIds);

    /** What was learnt so far. */
    Outcome outcome();

    @Override
    void close();

    /**
     * What a watch learnt.
     *
     * @param completion the source, API or KAFKA
     * @param finished   how each job ended, by jobId (kafka: every result read, whosever job it was)
     * @param duplicates results beyond the first per job; null where the source cannot see them (api: the API
     *                   shows one status per job, however many results a job has on {@code jobs.results})
     * @param lastSeen   api: the last status of each followed job that had not ended when following stopped
     * @param notFound   api: followed jobs the API did not know (404)
     * @param errors     api: status requests that failed otherwise, by kind
     */
    record Outcome(LoadPlan.Completion completion, Map<String, Finished> finished, Long duplicates,
                   Map<String, JobStatus> lastSeen, Set<String> notFound, Map<String, Long> errors) {
    }
}
