package io.tokenbroker.security;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.HandOutAudit;
import io.tokenbroker.support.DaemonThreads;
import io.tokenbroker.support.TokenFingerprint;
import io.tokenbroker.token.TokenRecord;
import jakarta.enterprise.context.ApplicationScoped;
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
 * a kind (caller, client, status) occurs, then a count per interval ({@link DenialCounts}), so that
 * nobody can flood the log by being refused. {@code broker.audit.hand-outs=every} writes a line per
 * hand-out and per denial. Route or silence the category with the usual
 * {@code quarkus.log.category."token-broker.audit".*} settings.
 */
@ApplicationScoped
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

    /** The last record audited per client with its fingerprint: a hash per token, not per request. */
    private record Fingerprinted(TokenRecord record, String fingerprint) {
    }

    private final boolean everyHandOut;
    private final Duration summaryInterval;
    private final Map<Recipient, Tally> handOuts = new ConcurrentHashMap<>();
    private final Map<String, Fingerprinted> lastRecords = new ConcurrentHashMap<>();
    private final DenialCounts denials = new DenialCounts();
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
        DenialCounts.Denial denial = new DenialCounts.Denial(caller == null ? NOBODY : caller.name(),
                client == null ? NOBODY : client, status);
        if (everyHandOut || denials.count(denial)) {
            AUDIT.infof("event=denied caller=%s client=%s outcome=%d remote=%s",
                    denial.caller(), denial.client(), status, remote);
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
                        + "first %d)", count, summaryInterval, DenialCounts.MAX_KINDS));
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
