package io.tokenbroker.security;

import io.tokenbroker.store.TokenRecord;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One structured line per token hand-out, refresh and denial, on the log category
 * {@value #CATEGORY}: who (caller), what (client), the outcome, the token's fingerprint and generation
 * (never the token), and from where. Route or silence it with the usual
 * {@code quarkus.log.category."token-broker.audit".*} settings.
 */
@ApplicationScoped
public class AuditTrail {

    /** The log category of the audit trail. */
    public static final String CATEGORY = "token-broker.audit";

    private static final Logger AUDIT = Logger.getLogger(CATEGORY);
    private static final String NOBODY = "-";

    /** The last record audited per client with its fingerprint: a hash per token, not per request. */
    private record Fingerprinted(TokenRecord record, String fingerprint) {
    }

    private final Map<String, Fingerprinted> lastRecords = new ConcurrentHashMap<>();

    /** A token was handed out ({@code GET /token}). */
    public void handedOut(Caller caller, String client, TokenRecord record, String remote) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.infof("event=hand-out caller=%s client=%s outcome=200 token=%s generation=%d remote=%s",
                    caller.name(), client, fingerprint(client, record), record.generation(), remote);
        }
    }

    /** A rejected token was reported and the current one handed out ({@code POST /token/refresh}). */
    public void refreshed(Caller caller, String client, String rejected, TokenRecord record, String remote) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.infof("event=refresh caller=%s client=%s outcome=200 rejected=%s token=%s generation=%d remote=%s",
                    caller.name(), client, TokenFingerprint.of(rejected), fingerprint(client, record),
                    record.generation(), remote);
        }
    }

    private String fingerprint(String client, TokenRecord record) {
        Fingerprinted last = lastRecords.get(client);
        if (last != null && last.record() == record) {
            return last.fingerprint();
        }
        String fingerprint = TokenFingerprint.of(record.token());
        lastRecords.put(client, new Fingerprinted(record, fingerprint));
        return fingerprint;
    }

    /**
     * A request was refused. {@code caller} and {@code client} are null when not known; a client
     * name is logged only if it is a configured one, never raw input.
     */
    public void denied(Caller caller, String client, int status, String remote) {
        AUDIT.infof("event=denied caller=%s client=%s outcome=%d remote=%s",
                caller == null ? NOBODY : caller.name(), client == null ? NOBODY : client, status, remote);
    }
}
