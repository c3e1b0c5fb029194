package io.tokenbroker.security;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.HandOutAudit;
import io.tokenbroker.support.DaemonThreads;
import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.token.TokenRecord;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Structured lines on the log category {@value #CATEGORY}: who (caller), what (client), the outcome,
 * the token's fingerprint and generation (never the token), and from where. Refreshes get a line
 * each. Hand-outs, by default, get a line the first time a token goes to a caller at an address, then
 * a count per {@code broker.audit.summary-interval}: the same facts without a log line per request,
 * which would cost the hot path most of its throughput. Denials, by default, get a line the first time
 * a kind (caller, client, status) occurs, then a count per interval ({@link KindCounts}), so that
 * nobody can flood the log by being refused. Business calls are written the same way by caller,
 * client, method, path and status (never the query or the body); every token the platform refused in
 * one, and every retry, gets a line of its own. {@code broker.audit.hand-outs=every} writes a line per
 * hand-out, denial and business call. Route or silence the category with the usual
 * {@code quarkus.log.category."token-broker.audit".*} settings.
 */
@Singleton
public class AuditTrail {

    /** The log category of the audit trail. */
    public static final String CATEGORY = "token-broker.audit";

    private static final Logger AUDIT = Logger.getLogger(CATEGORY);
    private static final String NOBODY = "-";

    /** Who received which token from where: the unit hand-outs are counted by. */
    private record Recipient(String caller, String client, long generation, String remote) {
    }

    private record Tally(String fingerprint, LongAdder count) {
    }

    /** What refusals are counted by. */
    private record Denial(String caller, String client, int status) {
    }

    /** What business calls are counted by: the platform path without its query. */
    private record BusinessCall(String caller, String client, String method, String path, String outcome) {
    }

    /** The last record audited per client with its fingerprint: a hash per token, not per request. */
    private record Fingerprinted(TokenRecord record, String fingerprint) {
    }

    private final boolean everyHandOut;
    private final Duration summaryInterval;
    private final Map<Recipient, Tally> handOuts = new ConcurrentHashMap<>();
    private final Map<String, Fingerprinted> lastRecords = new ConcurrentHashMap<>();
    private final KindCounts<Denial> denials = new KindCounts<>();
    private final KindCounts<BusinessCall> businessCalls = new KindCounts<>();
    private ScheduledExecutorService summaries;

    AuditTrail(BrokerConfig config) {
        this.everyHandOut = config.audit().handOuts() == HandOutAudit.EVERY;
        this.summaryInterval = config.audit().summaryInterval();
    }

    void onStart(@Observes StartupEvent start) {
        if (!everyHandOut) {
            summaries = DaemonThreads.scheduler("token-broker-audit");
            long every = summaryInterval.toMillis();
            summaries.scheduleAtFixedRate(this::writeCounts, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (summaries != null) {
            summaries.shutdownNow();
            writeCounts();
        }
    }

    /** A token was handed out ({@code GET /token}). */
    public void handedOut(Caller caller, String client, TokenRecord record, String remote) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        if (everyHandOut) {
            writeHandOut(caller.name(), client, fingerprint(client, record), record.generation(), remote);
            return;
        }
        Recipient recipient = new Recipient(caller.name(), client, record.generation(), remote);
        Tally tally = handOuts.get(recipient);
        if (tally == null) {
            Tally fresh = new Tally(fingerprint(client, record), new LongAdder());
            tally = handOuts.putIfAbsent(recipient, fresh);
            if (tally == null) {
                tally = fresh;
                writeHandOut(caller.name(), client, fresh.fingerprint(), record.generation(), remote);
            }
        }
        tally.count().increment();
    }

    /** A rejected token was reported and the current one handed out ({@code POST /token/refresh}). */
    public void refreshed(Caller caller, String client, String rejected, TokenRecord record, String remote) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.infof("event=refresh caller=%s client=%s outcome=200 rejected=%s token=%s generation=%d remote=%s",
                    caller.name(), client, TokenFingerprint.of(rejected), fingerprint(client, record),
                    record.generation(), remote);
        }
    }

    /**
     * A request was refused. {@code caller} and {@code client} are null when not known; a client
     * name is logged only if it is a configured one, never raw input.
     */
    public void denied(Caller caller, String client, int status, String remote) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        Denial denial = new Denial(caller == null ? NOBODY : caller.name(),
                client == null ? NOBODY : client, status);
        if (everyHandOut || denials.count(denial)) {
            AUDIT.infof("event=denied caller=%s client=%s outcome=%d remote=%s",
                    denial.caller(), denial.client(), status, remote);
        }
    }

    /**
     * A business call was answered ({@code outcome}: the platform's status, or what the broker answered
     * instead). {@code path} is the platform path without its query; {@code callerRequestId} the
     * caller's own {@code X-Request-Id} (sanitised), or "-".
     */
    public void businessCall(Caller caller, String client, String method, String path, String outcome,
            String requestId, String callerRequestId, String remote) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        if (everyHandOut || businessCalls.count(new BusinessCall(caller.name(), client, method, path, outcome))) {
            AUDIT.infof("event=business-call caller=%s client=%s method=%s path=%s outcome=%s request-id=%s "
                    + "caller-request-id=%s remote=%s", caller.name(), client, method, path, outcome, requestId,
                    callerRequestId, remote);
        }
    }

    /** The platform refused the token a business call carried; {@code retried}: whether the call is sent again. */
    public void tokenRefused(Caller caller, String client, String method, String path, TokenRecord refused,
            String requestId, String callerRequestId, boolean retried) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.infof("event=token-refused caller=%s client=%s method=%s path=%s token=%s generation=%d "
                    + "request-id=%s caller-request-id=%s next=%s", caller.name(), client, method, path,
                    fingerprint(client, refused), refused.generation(), requestId, callerRequestId,
                    retried ? "retry" : "passed-back");
        }
    }

    /** A business call whose token was refused is sent again with {@code replacement}. */
    public void retried(Caller caller, String client, String method, String path, TokenRecord replacement,
            String requestId, String callerRequestId) {
        if (AUDIT.isInfoEnabled()) {
            AUDIT.infof("event=business-retry caller=%s client=%s method=%s path=%s token=%s generation=%d "
                    + "request-id=%s caller-request-id=%s", caller.name(), client, method, path,
                    fingerprint(client, replacement), replacement.generation(), requestId, callerRequestId);
        }
    }

    /**
     * Writes each recipient's hand-outs and each kind of denial since the last count; forgets those
     * idle for a whole interval.
     */
    void writeCounts() {
        writeHandOutCounts();
        denials.drain((denial, count) -> AUDIT.infof("event=denials caller=%s client=%s outcome=%d count=%d "
                + "interval=%s", denial.caller(), denial.client(), denial.status(), count, summaryInterval),
                count -> AUDIT.infof("event=denials-other count=%d interval=%s (refusals of kinds beyond the "
                        + "first %d)", count, summaryInterval, KindCounts.MAX_KINDS));
        businessCalls.drain((call, count) -> AUDIT.infof("event=business-calls caller=%s client=%s method=%s "
                + "path=%s outcome=%s count=%d interval=%s", call.caller(), call.client(), call.method(),
                call.path(), call.outcome(), count, summaryInterval),
                count -> AUDIT.infof("event=business-calls-other count=%d interval=%s (calls of kinds beyond the "
                        + "first %d)", count, summaryInterval, KindCounts.MAX_KINDS));
    }

    private void writeHandOutCounts() {
        handOuts.forEach((recipient, tally) -> {
            long count = tally.count().sumThenReset();
            if (count > 0) {
                AUDIT.infof("event=hand-outs caller=%s client=%s outcome=200 token=%s generation=%d remote=%s "
                        + "count=%d interval=%s", recipient.caller(), recipient.client(), tally.fingerprint(),
                        recipient.generation(), recipient.remote(), count, summaryInterval);
            } else {
                handOuts.remove(recipient, tally);
            }
        });
    }

    private static void writeHandOut(String caller, String client, String fingerprint, long generation, String remote) {
        AUDIT.infof("event=hand-out caller=%s client=%s outcome=200 token=%s generation=%d remote=%s",
                caller, client, fingerprint, generation, remote);
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
}
