package io.tokenbroker.store;

import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a client's record into the fields of its Redis hash and back, trusting nothing it reads.
 * With an encryption key the whole record (client, token, generation, acquired-at, expires-at) is one
 * sealed value, and only the generation is repeated in the clear for the scripts' compare-and-set; a
 * value in the clear, sealed elsewhere, or whose clear generation differs is refused. Without a key
 * the fields are in the clear and range-checked. Either way a record whose expiry lies beyond the
 * token's lifetime, or that was acquired in the future, is refused.
 */
final class RecordCodec {

    /** Generations stay exact in Lua's doubles and far above any real count of leases. */
    static final long MAX_GENERATION = 1L << 53;
    static final int MAX_TOKEN_LENGTH = 4096;
    /** Hosts' clocks differ: a record acquired this far in another host's future is still believed. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private static final String FORMAT = "v1";

    private final Optional<TokenCipher> cipher;
    private final Duration handedOutFor;
    private final Clock clock;

    RecordCodec(Optional<TokenCipher> cipher, Duration handedOutFor, Clock clock) {
        this.cipher = cipher;
        this.handedOutFor = handedOutFor;
        this.clock = clock;
    }

    /** Whether records are sealed. */
    boolean sealing() {
        return cipher.isPresent();
    }

    /** The hash fields of {@code record}, as alternating names and values. */
    List<String> encode(String client, TokenRecord record) {
        String generation = Long.toString(record.generation());
        String acquired = Long.toString(record.acquiredAt().toEpochMilli());
        String expires = Long.toString(record.expiresAt().toEpochMilli());
        if (cipher.isPresent()) {
            String plain = String.join("\n", FORMAT, generation, acquired, expires, record.token());
            return List.of("sealed", cipher.get().seal(client, plain), "generation", generation);
        }
        return List.of("token", record.token(), "acquired-at", acquired, "expires-at", expires,
                "generation", generation);
    }

    /** What the hash {@code fields} hold for {@code client}; an empty hash is no record. */
    StoredRecord decode(String client, Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            return StoredRecord.absent();
        }
        String version = fields.getOrDefault("generation", "");
        if (cipher.isEmpty()) {
            return check(version, fields.get("token"), fields.get("acquired-at"), fields.get("expires-at"),
                    version);
        }
        Optional<String> plain = cipher.get().open(client, fields.get("sealed"));
        if (plain.isEmpty()) {
            return StoredRecord.unreadable(version, "not sealed with a configured key for this client");
        }
        String[] parts = plain.get().split("\n", 5);
        if (parts.length != 5 || !FORMAT.equals(parts[0])) {
            return StoredRecord.unreadable(version, "sealed in an unknown format");
        }
        if (!parts[1].equals(version)) {
            return StoredRecord.unreadable(version, "its clear generation differs from the sealed one");
        }
        return check(parts[1], parts[4], parts[2], parts[3], version);
    }

    private StoredRecord check(String generationText, String token, String acquiredText, String expiresText,
            String version) {
        long generation = number(generationText);
        long acquired = number(acquiredText);
        long expires = number(expiresText);
        if (generation < 1 || generation > MAX_GENERATION) {
            return StoredRecord.unreadable(version, "its generation is missing or out of range");
        }
        if (acquired < 0 || expires < 0 || !wellFormed(token)) {
            return StoredRecord.unreadable(version, "a field is missing or malformed");
        }
        Instant acquiredAt = Instant.ofEpochMilli(acquired);
        Instant expiresAt = Instant.ofEpochMilli(expires);
        if (acquiredAt.isAfter(clock.instant().plus(CLOCK_SKEW))) {
            return StoredRecord.unreadable(version, "it was acquired in the future");
        }
        if (!expiresAt.isAfter(acquiredAt) || expiresAt.isAfter(acquiredAt.plus(handedOutFor))) {
            return StoredRecord.unreadable(version, "its expiry lies outside the token's lifetime");
        }
        if (!expiresAt.isAfter(clock.instant())) {
            return StoredRecord.absent();
        }
        return StoredRecord.of(new TokenRecord(token, acquiredAt, expiresAt, generation), version);
    }

    /** A token is printable ASCII without spaces, as it travels in an HTTP header. */
    private static boolean wellFormed(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return false;
        }
        return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** The decimal number in {@code text}, or -1 when it is missing or not a plain number. */
    private static long number(String text) {
        if (text == null || text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }
}
