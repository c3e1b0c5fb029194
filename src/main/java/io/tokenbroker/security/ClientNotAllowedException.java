package io.tokenbroker.security;

/** An authenticated caller asked for a client it was not granted. */
public final class ClientNotAllowedException extends RuntimeException {

    public ClientNotAllowedException(Caller caller, String client) {
        super("caller '" + caller.name() + "' may not read client '" + client + "'", null, false, false);
    }
}
