package io.tokenbroker.token;

import java.time.Duration;
import java.util.Optional;

/**
 * What the store holds for a client, as one read saw it: a verified record, nothing, or a value that
 * could not be trusted (tampered, sealed with an unknown key, out of range, or a key of another type).
 * An unreadable value counts as absent: the next acquisition replaces it under the lock.
 *
 * @param record the verified record, or {@code null}
 * @param version what a compare-and-set write must find still in place (the raw stored generation,
 *     empty when nothing readable as a record is stored)
 * @param problem why the stored value was refused, or {@code null}
 * @param writerAhead how far ahead of the reader's the writer's clock ran (negative: behind), as the
 *     record's time left by the store's clock shows; zero when the two agree within a second
 */
public record StoredRecord(TokenRecord record, String version, String problem, Duration writerAhead) {

    private static final StoredRecord ABSENT = new StoredRecord(null, "", null, Duration.ZERO);
    private static final String UNKNOWN_KEY = "not sealed with a configured key for this client";

    public static StoredRecord absent() {
        return ABSENT;
    }

    public static StoredRecord of(TokenRecord record, String version) {
        return new StoredRecord(record, version, null, Duration.ZERO);
    }

    /** A record whose times were moved onto the reader's clock: its writer's clock was {@code writerAhead} ahead. */
    public static StoredRecord of(TokenRecord record, String version, Duration writerAhead) {
        return new StoredRecord(record, version, null, writerAhead);
    }

    public static StoredRecord unreadable(String version, String problem) {
        return new StoredRecord(null, version, problem, Duration.ZERO);
    }

    /**
     * A value sealed in the expected form whose key this replica does not hold: a record a peer with
     * another key configuration wrote (a key rotation done out of order), not proof of tampering.
     */
    public static StoredRecord sealedWithUnknownKey(String version) {
        return new StoredRecord(null, version, UNKNOWN_KEY, Duration.ZERO);
    }

    /** Whether the value is sealed with a key this replica lacks ({@link #sealedWithUnknownKey}). */
    public boolean sealedWithUnknownKey() {
        return UNKNOWN_KEY.equals(problem);
    }

    /** The verified record, if one is stored. */
    public Optional<TokenRecord> present() {
        return Optional.ofNullable(record);
    }

    /** Whether a value is stored that was refused. */
    public boolean unreadable() {
        return problem != null;
    }

    /** The verified record's generation, 0 if there is none. */
    public long generation() {
        return record == null ? 0 : record.generation();
    }
}
