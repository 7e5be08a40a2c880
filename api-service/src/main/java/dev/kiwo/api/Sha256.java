package dev.kiwo.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, which every Java runtime provides, without the checked exception of asking for it by name. */
public final class Sha256 {

    private Sha256() {
    }

    /** The 32-byte SHA-256 hash of the bytes. */
    public static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
