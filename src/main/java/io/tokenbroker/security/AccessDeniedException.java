package io.tokenbroker.security;

/** An authenticated caller asked for something it was not granted: a client, its token, a platform path, or operators' views. */
public final class AccessDeniedException extends RuntimeException {

    /** What was not granted; each is its own problem type. */
    public enum Refusal {
        /** The client is not among {@code broker.callers.CALLER.clients}. */
        CLIENT("client-not-allowed"),
        /** The caller has {@code token-access=false}: it may use the token only through business calls. */
        TOKEN_ACCESS("token-access-not-allowed"),
        /** The path matches none of {@code broker.callers.CALLER.platform-paths}. */
        PLATFORM_PATH("platform-path-not-allowed"),
        /** The caller is no operator ({@code broker.callers.CALLER.admin} is not {@code true}). */
        ADMIN("admin-only");

        private final String problemType;

        Refusal(String problemType) {
            this.problemType = problemType;
        }

        /** The last part of the problem's {@code type} URN. */
        public String problemType() {
            return problemType;
        }
    }

    private final transient Caller caller;
    private final String client;
    private final Refusal refusal;

    private AccessDeniedException(Caller caller, String client, Refusal refusal, String message) {
        super(message, null, false, false);
        this.caller = caller;
        this.client = client;
        this.refusal = refusal;
    }

    static AccessDeniedException client(Caller caller, String client) {
        return new AccessDeniedException(caller, client, Refusal.CLIENT,
                "caller '" + caller.name() + "' may not use client '" + client + "'");
    }

    static AccessDeniedException tokenAccess(Caller caller, String client) {
        return new AccessDeniedException(caller, client, Refusal.TOKEN_ACCESS, "caller '" + caller.name()
                + "' may use client '" + client + "' only through /platform/" + client + "/... (token-access=false)");
    }

    static AccessDeniedException platformPath(Caller caller, String client) {
        return new AccessDeniedException(caller, client, Refusal.PLATFORM_PATH, "caller '" + caller.name()
                + "' may not call this path of client '" + client + "': it matches none of its platform-paths");
    }

    static AccessDeniedException admin(Caller caller) {
        return new AccessDeniedException(caller, null, Refusal.ADMIN, "caller '" + caller.name()
                + "' is no operator: token state and rotation need broker.callers." + caller.name() + ".admin=true");
    }

    public Caller caller() {
        return caller;
    }

    public String client() {
        return client;
    }

    public Refusal refusal() {
        return refusal;
    }
}
