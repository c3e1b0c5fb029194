package io.tokenbroker.platform;

/**
 * Why the platform gave no token. Messages are written by the broker and never carry the secret, a
 * token or the request URL.
 */
public abstract sealed class PlatformException extends RuntimeException
        permits PlatformUnavailableException, PlatformAnswerException, CredentialsRejectedException,
        CallWithdrawnException {

    private final String client;

    PlatformException(String client, String message) {
        super(message, null, false, false);
        this.client = client;
    }

    /** The broker client whose call failed. */
    public String client() {
        return client;
    }

    /** Whether another attempt may succeed. */
    public abstract boolean isTransient();
}
