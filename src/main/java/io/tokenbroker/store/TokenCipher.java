package io.tokenbroker.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals records at rest (AES-256-GCM, a random 96-bit nonce per value, the client name as associated
 * data), so Redis, its backups and its replicas never hold a usable token, and a value cannot be
 * forged, altered or moved to another client's key. Opens values sealed with the current key, the
 * previous one (after a rotation) or the next one (announced before a rotation), so the key can be
 * rotated in two phases without downtime: first every replica learns to read the next key, then
 * replicas start sealing with it.
 */
public final class TokenCipher {

    private static final String PREFIX = "aes256gcm:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey current;
    private final List<SecretKey> readable = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param currentKey base64 of the 32-byte key new values are sealed with
     * @param previousKey base64 of the key values sealed before a rotation may still use
     * @param nextKey base64 of the key other replicas may already seal with (phase one of a rotation)
     * @throws IllegalArgumentException naming the property (never the value) when a key is malformed
     */
    public TokenCipher(String currentKey, Optional<String> previousKey, Optional<String> nextKey) {
        this.current = key(currentKey, "broker.store.encryption-key");
        readable.add(current);
        previousKey.ifPresent(k -> readable.add(key(k, "broker.store.previous-encryption-key")));
        nextKey.ifPresent(k -> readable.add(key(k, "broker.store.next-encryption-key")));
    }

    /** The value to store for {@code client}'s record {@code plain}. */
    public String seal(String client, String plain) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(client.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt the record", e);
        }
    }

    /**
     * What {@code client}'s stored value holds, if a configured key opens it; nothing for a value in
     * the clear, malformed, tampered with, sealed for another client or with a foreign key.
     */
    public Optional<String> open(String client, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return Optional.empty();
        }
        byte[] all;
        try {
            all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (all.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        for (SecretKey key : readable) {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
                cipher.updateAAD(client.getBytes(StandardCharsets.UTF_8));
                return Optional.of(new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES),
                        StandardCharsets.UTF_8));
            } catch (GeneralSecurityException wrongKey) {
                // try the next key
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code stored} has the form of a sealed value (prefix, base64, room for a nonce and a tag),
     * whether or not a configured key opens it: told apart from a value in the clear or garbage so that
     * a peer's record sealed with another key is not taken for tampering.
     */
    public boolean looksSealed(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(stored.substring(PREFIX.length())).length > NONCE_BYTES + TAG_BITS / 8;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private static SecretKey key(String base64, String property) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException(property + " must be base64 (of 32 random bytes)");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException(property + " must be the base64 of exactly 32 bytes (AES-256)");
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
