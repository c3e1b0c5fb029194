package io.tokenbroker.security;

/** An authenticated caller asked for a client it was not granted. */
public final class ClientNotAllowedException extends RuntimeException {

    private final transient Caller caller;
    private final String client;

    public ClientNotAllowedException(Caller caller, String client) {
        super("caller '" + caller.name() + "' may not read client '" + client + "'", null, false, false);
        this.caller = caller;
        this.client = client;
    }

    public Caller caller() {
        return caller;
    }

    public String client() {
        return client;
    }
}
