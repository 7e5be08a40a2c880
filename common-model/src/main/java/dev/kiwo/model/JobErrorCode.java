package dev.kiwo.model;

/** Why a job did not succeed, as carried by a {@code FAILED} or {@code CANCELLED} result. */
public enum JobErrorCode {
    /** Every attempt failed; the job was dead-lettered. */
    PROCESSING_FAILED,
    /** The job could not finish within its {@code deadlineSeconds} of submission. */
    DEADLINE_EXCEEDED,
    /** A client cancelled the job before it finished. */
    CANCELLED
}
