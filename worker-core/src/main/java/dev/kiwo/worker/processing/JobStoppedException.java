package dev.kiwo.worker.processing;

import dev.kiwo.model.JobErrorCode;

/**
 * A running job stopped at a safe point because a client cancelled it or its deadline passed. Not a failure
 * to retry: the processor turns it into the job's terminal result.
 */
final class JobStoppedException extends RuntimeException {

    private final JobErrorCode reason;

    JobStoppedException(JobErrorCode reason) {
        super("Job stopped: " + reason, null, false, false);
        this.reason = reason;
    }

    /** {@link JobErrorCode#CANCELLED} or {@link JobErrorCode#DEADLINE_EXCEEDED}. */
    JobErrorCode reason() {
        return reason;
    }
}
