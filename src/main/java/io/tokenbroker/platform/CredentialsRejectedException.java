package io.tokenbroker.platform;

/** The platform refused the client's credentials: retrying cannot help until they are fixed. */
public final class CredentialsRejectedException extends PlatformException {

    CredentialsRejectedException(String client, String message) {
        super(client, message);
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
