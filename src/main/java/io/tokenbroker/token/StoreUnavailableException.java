package io.tokenbroker.token;

/**
 * The shared store could not do what was asked: unreachable, timed out, or refusing writes (a
 * read-only replica after a failover, out of memory). The one failure that sends the broker down its
 * outage path ({@code broker.redis-outage}); any other exception is a bug and is never taken for an
 * outage. The message names the operation, never a key's value.
 */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String operation, Throwable cause) {
        super("the token store failed to " + operation + " (" + cause.getClass().getSimpleName() + ")", cause);
    }

    /**
     * The store at {@code where} (an address without credentials) failed to do {@code operation}, for
     * the reason {@code why}: what the server answered or what the connection said, never a value stored.
     */
    public StoreUnavailableException(String where, String operation, String why, Throwable cause) {
        super(where + " failed to " + operation + ": " + why, cause);
    }
}
