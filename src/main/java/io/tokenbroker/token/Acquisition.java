package io.tokenbroker.token;

/**
 * What an acquisition ended with: the record to hand out, and whether the shared store holds it. A
 * token the platform issued is never thrown away because the store failed to keep it: it is served
 * and written back later ({@code saved == false}).
 */
record Acquisition(TokenRecord record, boolean saved) {
}
