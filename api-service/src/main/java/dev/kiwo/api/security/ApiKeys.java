package dev.kiwo.api.security;

import dev.kiwo.api.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The API keys of mode {@code api-key} and the tenant of each, read once from {@code kiwo.api.auth.api-keys-file}.
 * The file has one {@code tenant=key} per line (split at the first {@code =}); blank lines and lines starting with
 * {@code #} are skipped. A tenant may have several keys (to rotate one), a key names one tenant. Only the keys'
 * SHA-256 hashes are kept, and a presented key is compared with every one of them in constant time, so how long a
 * check takes says nothing about the keys.
 */
final class ApiKeys {

    static final String HEADER = "X-API-Key";

    /** Keys are secrets, not passwords a person types: anything shorter is guessable. */
    static final int MIN_KEY_LENGTH = 16;

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads the keys file; fails with a message naming the file and line when it is missing, unreadable, empty
     * or has a bad line.
     */
    static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("kiwo.api.auth.api-keys-file " + file + " could not be read: " + e, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "kiwo.api.auth.api-keys-file " + file + ", line " + (i + 1);
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new IllegalStateException(where + ": expected tenant=key");
            }
            String tenant = line.substring(0, equals);
            String key = line.substring(equals + 1);
            if (!Tenant.isAcceptable(tenant)) {
                throw new IllegalStateException(where + ": the tenant must be " + Tenant.REQUIREMENT);
            }
            if (key.length() < MIN_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
                throw new IllegalStateException(where + ": the key must be at least " + MIN_KEY_LENGTH
                        + " visible ASCII characters");
            }
            byte[] hash = sha256(key);
            if (entries.stream().anyMatch(entry -> MessageDigest.isEqual(entry.keyHash, hash))) {
                throw new IllegalStateException(where + ": the key is already given to a tenant");
            }
            entries.add(new Entry(hash, tenant));
        }
        if (entries.isEmpty()) {
            throw new IllegalStateException("kiwo.api.auth.api-keys-file " + file + " holds no keys");
        }
        return new ApiKeys(entries);
    }

    /** The tenant of a presented key; every key is compared, whether one matched already or not. */
    Optional<String> tenantOf(String presented) {
        byte[] hash = sha256(presented);
        String tenant = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.keyHash, hash)) {
                tenant = entry.tenant;
            }
        }
        return Optional.ofNullable(tenant);
    }

    int size() {
        return entries.size();
    }

    long tenants() {
        return entries.stream().map(Entry::tenant).distinct().count();
    }

    private static byte[] sha256(String key) {
        return Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private record Entry(byte[] keyHash, String tenant) {
    }
}
