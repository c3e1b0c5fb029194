package io.tokenbroker.token;

/**
 * Proof of holding a client's refresh lock.
 *
 * @param owner unique value stored in the lock, checked on release
 * @param fence number that increases with every lease of the client: the generation of the record
 *     its holder writes, so a holder that lost its lease cannot overwrite a newer record
 */
public record Lease(String owner, long fence) {
}
