package dev.kiwo.api.jobs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} request header, or the {@code idempotencyKey} property of a job. The jobId is a
 * name-based UUID (version 5, RFC 9562) over a fixed namespace and the tenant and key, so every API replica derives
 * the same jobId for the same tenant and key without shared state, and two tenants using the same key get two
 * jobIds. The name is the tenant, a line feed, then the key: a key has no line feed, so the last one splits the
 * name unambiguously whatever the tenant holds. The classifier routes only the first record of each jobId.
 */
final class IdempotencyKey {

    static final String HEADER = "Idempotency-Key";

    static final int MAX_LENGTH = 128;

    /** Visible ASCII only, like the correlation id: safe to log and unambiguous as bytes. */
    static final String PATTERN = "[\\x21-\\x7e]{1," + MAX_LENGTH + "}";

    static final String REQUIREMENT = "must be 1 to " + MAX_LENGTH + " visible ASCII characters";

    private static final Pattern ACCEPTABLE = Pattern.compile(PATTERN);

    /** The namespace of kiwo jobIds derived from idempotency keys; changing it changes every derived jobId. */
    static final UUID NAMESPACE = UUID.fromString("5b0f7c52-3c1e-4d8a-9a57-0c6f2e4b9d13");

    private IdempotencyKey() {
    }

    static boolean isAcceptable(String value) {
        return value != null && ACCEPTABLE.matcher(value).matches();
    }

    /** The jobId of a submission: derived from its tenant and key, or a new random one when it has no key. */
    static String jobIdFor(String tenant, String key) {
        return key == null ? UUID.randomUUID().toString() : jobId(tenant, key);
    }

    static String jobId(String tenant, String key) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16)
                .putLong(NAMESPACE.getMostSignificantBits())
                .putLong(NAMESPACE.getLeastSignificantBits())
                .array());
        sha1.update(tenant.getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) '\n');
        byte[] hash = sha1.digest(key.getBytes(StandardCharsets.US_ASCII));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong()).toString();
    }
}
