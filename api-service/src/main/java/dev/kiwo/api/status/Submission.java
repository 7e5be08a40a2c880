package dev.kiwo.api.status;

import java.time.Instant;

/**
 * An earlier submission of a jobId, as the status view knows it.
 *
 * @param requestFingerprint the fingerprint of the request that submitted it under an idempotency key; null when
 *                           its record has none (written by an older API)
 * @param submittedAt        when it was accepted
 */
public record Submission(String requestFingerprint, Instant submittedAt) {
}
