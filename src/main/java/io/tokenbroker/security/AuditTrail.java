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
import java.util.regex.Pattern;

/**
 * Audit events on their own log category, {@value #CATEGORY}, each a log record whose facts are
 * fields ({@link AuditEvent}): who (caller), what (client), the outcome, the token's fingerprint and
 * generation (never the token), and from where. Refreshes get a line each. Hand-outs, by default, get
 * a line the first time a token goes to a caller at an address, then a count per
 * {@code broker.audit.summary-interval}: the same facts without a log line per request, which would
 * cost the hot path most of its throughput. Denials, by default, get a line the first time a kind
 * (caller, client, status) occurs, then a count per interval ({@link KindCounts}), so that nobody can
 * flood the log by being refused. Business calls are written the same way by caller, client, method,
 * path and status (never the query or the body); every token the platform refused in one, and every
 * retry, gets a line of its own. {@code broker.audit.hand-outs=every} writes a line per hand-out,
 * denial and business call. The category has its own handler ({@code AUDIT} in
 * {@code application.properties}), so operators can route or silence it alone.
 */
@Singleton
public class AuditTrail {

    /** The log category of the audit trail. */
    public static final String CATEGORY = "token-broker.audit";

    private static final String NOBODY = "-";
    /** A caller's own request id is written only if it is a plain id: it is the caller's free text. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** Who received which token from where: the unit hand-outs are counted by. */
    private record Recipient(String caller, String client, long generation, String remote) {
    }

    private record Tally(String fingerprint, LongAdder count) {
    }

    /** What refusals are counted by. */
    private record Denial(String caller, String client, int status) {
    }

    /**
     * What business calls are counted by: the caller's grant the path matched (a configured pattern,
     * so paths with ids make one kind, and the kinds are bounded by the configuration), not the path.
     */
    private record BusinessCall(String caller, String client, String method, String grant, String outcome) {
    }

    /** What refused tokens are counted by. */
    private record Refusal(String caller, String client, String method, String grant, String next) {
    }

    /** The last record audited per client with its fingerprint: a hash per token, not per request. */
    private record Fingerprinted(TokenRecord record, String fingerprint) {
    }

    private final boolean everyHandOut;
    private final Duration summaryInterval;
    private final Map<Recipient, Tally> handOuts = new ConcurrentHashMap<>();
    private final Map<String, Fingerprinted> lastRecords = new ConcurrentHashMap<>();
    private final KindCounts<Denial> denials = new KindCounts<>(Denial::caller);
    private final KindCounts<BusinessCall> businessCalls = new KindCounts<>(BusinessCall::caller);
    private final KindCounts<Refusal> refusals = new KindCounts<>(Refusal::caller);
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
        if (!AuditEvent.enabled()) {
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
        if (AuditEvent.enabled()) {
            AuditEvent.of("refresh").with("caller", caller.name()).with("client", client).with("outcome", 200)
                    .with("rejected", TokenFingerprint.of(rejected)).with("token", fingerprint(client, record))
                    .with("generation", record.generation()).with("remote", remote).write();
        }
    }

    /**
     * An operator rotated the client's token ({@code before}: the token this replica held, or null);
     * {@code replaced} tells whether the token changed or the one already stored was adopted.
     */
    public void rotated(Caller caller, String client, TokenRecord before, TokenRecord after, String remote) {
        if (AuditEvent.enabled()) {
            AuditEvent.of("rotate").with("caller", caller.name()).with("client", client).with("outcome", 200)
                    .with("previous", TokenFingerprint.of(before == null ? null : before.token()))
                    .with("token", fingerprint(client, after)).with("generation", after.generation())
                    .with("replaced", before == null || !before.token().equals(after.token())).with("remote", remote)
                    .write();
        }
    }

    /**
     * A request was refused. {@code caller} and {@code client} are null when not known; a client
     * name is logged only if it is a configured one, never raw input.
     */
    public void denied(Caller caller, String client, int status, String remote) {
        if (!AuditEvent.enabled()) {
            return;
        }
        Denial denial = new Denial(caller == null ? NOBODY : caller.name(),
                client == null ? NOBODY : client, status);
        if (everyHandOut || denials.count(denial)) {
            AuditEvent.of("denied").with("caller", denial.caller()).with("client", denial.client())
                    .with("outcome", status).with("remote", remote).write();
        }
    }

    /**
     * A business call was answered ({@code outcome}: the platform's status, or what the broker answered
     * instead). {@code path} is the platform path without its query; {@code callerRequestId} the
     * caller's own {@code X-Request-Id} as sent, or null.
     */
    public void businessCall(Caller caller, String client, String method, String path, String grant, String outcome,
            String requestId, String callerRequestId, String remote) {
        if (!AuditEvent.enabled()) {
            return;
        }
        if (everyHandOut || businessCalls.count(new BusinessCall(caller.name(), client, method, grant, outcome))) {
            call("business-call", caller, client, method, path).with("grant", grant).with("outcome", outcome)
                    .with("request-id", requestId).with("caller-request-id", plainId(callerRequestId))
                    .with("remote", remote).write();
        }
    }

    /**
     * The platform refused the token a business call carried; {@code retried}: whether the call is sent
     * again. The first of each kind (caller, client, method, grant, what happened next) is written at
     * once, the rest counted per interval: a caller can cause refusals as fast as it can call.
     */
    public void tokenRefused(Caller caller, String client, String method, String path, String grant,
            TokenRecord refused, String requestId, String callerRequestId, boolean retried) {
        String next = retried ? "retry" : "passed-back";
        if (AuditEvent.enabled()
                && (everyHandOut || refusals.count(new Refusal(caller.name(), client, method, grant, next)))) {
            call("token-refused", caller, client, method, path).with("grant", grant)
                    .with("token", fingerprint(client, refused))
                    .with("generation", refused.generation()).with("request-id", requestId)
                    .with("caller-request-id", plainId(callerRequestId))
                    .with("next", next).write();
        }
    }

    /** A business call whose token was refused is sent again with {@code replacement}. */
    public void retried(Caller caller, String client, String method, String path, TokenRecord replacement,
            String requestId, String callerRequestId) {
        if (AuditEvent.enabled()) {
            call("business-retry", caller, client, method, path).with("token", fingerprint(client, replacement))
                    .with("generation", replacement.generation()).with("request-id", requestId)
                    .with("caller-request-id", plainId(callerRequestId)).write();
        }
    }

    /**
     * Writes each recipient's hand-outs and each kind of denial since the last count; forgets those
     * idle for a whole interval.
     */
    void writeCounts() {
        writeHandOutCounts();
        denials.drain((denial, count) -> counted(AuditEvent.of("denials").with("caller", denial.caller())
                .with("client", denial.client()).with("outcome", denial.status()), count),
                (caller, count) -> others(AuditEvent.of("denials-other"), caller, count));
        businessCalls.drain((call, count) -> counted(AuditEvent.of("business-calls").with("caller", call.caller())
                .with("client", call.client()).with("method", call.method()).with("grant", call.grant())
                .with("outcome", call.outcome()), count),
                (caller, count) -> others(AuditEvent.of("business-calls-other"), caller, count));
        refusals.drain((refusal, count) -> counted(AuditEvent.of("tokens-refused").with("caller", refusal.caller())
                .with("client", refusal.client()).with("method", refusal.method()).with("grant", refusal.grant())
                .with("next", refusal.next()), count),
                (caller, count) -> others(AuditEvent.of("tokens-refused-other"), caller, count));
    }

    private void writeHandOutCounts() {
        handOuts.forEach((recipient, tally) -> {
            long count = tally.count().sumThenReset();
            if (count > 0) {
                counted(AuditEvent.of("hand-outs").with("caller", recipient.caller())
                        .with("client", recipient.client()).with("outcome", 200).with("token", tally.fingerprint())
                        .with("generation", recipient.generation()).with("remote", recipient.remote()), count);
            } else {
                handOuts.remove(recipient, tally);
            }
        });
    }

    private void counted(AuditEvent event, long count) {
        event.with("count", count).with("interval", summaryInterval).write();
    }

    /** A caller's events of kinds beyond the first {@link KindCounts#MAX_KINDS} of an interval, counted together. */
    private void others(AuditEvent event, String caller, long count) {
        counted(event.with("caller", caller).with("kinds-beyond", KindCounts.MAX_KINDS), count);
    }

    private static AuditEvent call(String event, Caller caller, String client, String method, String path) {
        return AuditEvent.of(event).with("caller", caller.name()).with("client", client).with("method", method)
                .with("path", path);
    }

    private static void writeHandOut(String caller, String client, String fingerprint, long generation, String remote) {
        AuditEvent.of("hand-out").with("caller", caller).with("client", client).with("outcome", 200)
                .with("token", fingerprint).with("generation", generation).with("remote", remote).write();
    }

    private static String plainId(String id) {
        return id != null && PLAIN_ID.matcher(id).matches() ? id : NOBODY;
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
