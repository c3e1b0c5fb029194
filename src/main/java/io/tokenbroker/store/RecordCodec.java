package io.tokenbroker.store;

import io.smallrye.config.Secret;
import io.tokenbroker.config.BrokerConfig;
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
 * token's lifetime is refused. A record's remaining life is its TTL by Redis' clock, never this host's
 * clock compared with the writer's: a record written by a host whose clock runs ahead or behind is
 * believed as it is (it is the newest token; writing an older one over it because of a clock would kill
 * it), its times moved onto this host's clock, and never handed out for longer than a new token.
 */
final class RecordCodec {

    /** Generations stay exact in Lua's doubles and far above any real count of leases. */
    static final long MAX_GENERATION = 1L << 53;
    static final int MAX_TOKEN_LENGTH = 4096;
    private static final String FORMAT = "v1";
    /** Below this, a record's times are taken as written: the read's own latency, not two clocks apart. */
    private static final Duration CLOCKS_AGREE = Duration.ofSeconds(1);

    private final Optional<TokenCipher> cipher;
    private final Duration handedOutFor;
    private final Clock clock;

    /** The codec {@code config} asks for: sealing with {@code broker.store.encryption-key}, if set. */
    static RecordCodec from(BrokerConfig config, Clock clock) {
        Optional<TokenCipher> cipher = config.store().encryptionKey().map(Secret::get)
                .map(key -> new TokenCipher(key, config.store().previousEncryptionKey().map(Secret::get),
                        config.store().nextEncryptionKey().map(Secret::get)));
        return new RecordCodec(cipher, config.token().handedOutFor(), clock);
    }

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

    /**
     * What the hash {@code fields} hold for {@code client}; an empty hash is no record.
     *
     * @param ttlMillis the hash's time to live by Redis' clock (negative: none): how long the record has
     *     left, whatever this host's clock and the writer's say
     */
    StoredRecord decode(String client, Map<String, String> fields, long ttlMillis) {
        if (fields == null || fields.isEmpty()) {
            return StoredRecord.absent();
        }
        String version = fields.getOrDefault("generation", "");
        if (cipher.isEmpty()) {
            return check(version, fields.get("token"), fields.get("acquired-at"), fields.get("expires-at"),
                    version, ttlMillis);
        }
        Optional<String> plain = cipher.get().open(client, fields.get("sealed"));
        if (plain.isEmpty()) {
            return cipher.get().looksSealed(fields.get("sealed")) ? StoredRecord.sealedWithUnknownKey(version)
                    : StoredRecord.unreadable(version, "not a sealed value");
        }
        String[] parts = plain.get().split("\n", 5);
        if (parts.length != 5 || !FORMAT.equals(parts[0])) {
            return StoredRecord.unreadable(version, "sealed in an unknown format");
        }
        if (!parts[1].equals(version)) {
            return StoredRecord.unreadable(version, "its clear generation differs from the sealed one");
        }
        return check(parts[1], parts[4], parts[2], parts[3], version, ttlMillis);
    }

    private StoredRecord check(String generationText, String token, String acquiredText, String expiresText,
            String version, long ttlMillis) {
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
        if (!expiresAt.isAfter(acquiredAt) || expiresAt.isAfter(acquiredAt.plus(handedOutFor))) {
            return StoredRecord.unreadable(version, "its expiry lies outside the token's lifetime");
        }
        Instant now = clock.instant();
        Instant servedUntil = servedUntil(expiresAt, ttlMillis, now);
        if (!servedUntil.isAfter(now)) {
            return StoredRecord.absent();
        }
        Duration shift = Duration.between(expiresAt, servedUntil);
        if (shift.abs().compareTo(CLOCKS_AGREE) < 0) {
            return StoredRecord.of(new TokenRecord(token, acquiredAt, expiresAt, generation), version);
        }
        // The writer's clock and this one disagree: the record's times, moved onto this host's clock.
        return StoredRecord.of(new TokenRecord(token, acquiredAt.plus(shift), servedUntil, generation), version,
                shift.negated());
    }

    /**
     * When this host stops handing the record out, by its own clock: its time left by Redis' clock (the
     * writer set it to the record's expiry), never more than a token obtained now is handed out for. A
     * hash without a TTL was not written by a broker: its own expiry, by this clock, bounded the same way.
     */
    private Instant servedUntil(Instant expiresAt, long ttlMillis, Instant now) {
        Instant latest = now.plus(handedOutFor);
        Instant until = ttlMillis > 0 ? now.plusMillis(ttlMillis) : expiresAt;
        return until.isAfter(latest) ? latest : until;
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
