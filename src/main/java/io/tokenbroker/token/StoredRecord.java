package io.tokenbroker.token;

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
 */
public record StoredRecord(TokenRecord record, String version, String problem) {

    private static final StoredRecord ABSENT = new StoredRecord(null, "", null);

    public static StoredRecord absent() {
        return ABSENT;
    }

    public static StoredRecord of(TokenRecord record, String version) {
        return new StoredRecord(record, version, null);
    }

    public static StoredRecord unreadable(String version, String problem) {
        return new StoredRecord(null, version, problem);
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
