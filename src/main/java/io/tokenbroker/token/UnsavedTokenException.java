package io.tokenbroker.token;


/**
 * The platform issued a token but the store failed to keep it. The token is good: this replica
 * serves it and writes it back later, rather than asking the platform again.
 */
final class UnsavedTokenException extends RuntimeException {

    private final transient TokenRecord record;

    UnsavedTokenException(TokenRecord record, RuntimeException storeFailure) {
        super("the store failed (" + storeFailure.getClass().getSimpleName() + ") after the token was obtained",
                null, false, false);
        this.record = record;
    }

    TokenRecord record() {
        return record;
    }
}
