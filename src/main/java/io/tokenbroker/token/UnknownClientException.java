package io.tokenbroker.token;

/** The broker has no platform client of the requested name. */
public final class UnknownClientException extends RuntimeException {

    public UnknownClientException(String client) {
        super("no client named '" + client + "' is configured", null, false, false);
    }
}
