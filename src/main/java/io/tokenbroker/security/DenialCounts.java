package io.tokenbroker.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.ObjLongConsumer;

/**
 * Refused requests counted by kind (caller, client, status) between two audit summaries. Anyone who
 * can reach the broker can be refused, as often as they like: a log line per refusal would let them
 * flood the log, so only the first of each kind is written at once and the rest are counted.
 */
final class DenialCounts {

    /**
     * Most kinds tracked at once. Callers and clients are configured names (or "-"), so the kinds are
     * few in practice; the bound holds whatever the configuration, and refusals of further kinds are
     * still counted, together, until the next summary.
     */
    static final int MAX_KINDS = 256;

    /** What refusals are counted by. */
    record Denial(String caller, String client, int status) {
    }

    private final Map<Denial, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicInteger kinds = new AtomicInteger();
    private final LongAdder other = new LongAdder();

    /**
     * Counts {@code denial}. True when it is the first of its kind since that kind was last forgotten:
     * the caller then writes it out at once.
     */
    boolean count(Denial denial) {
        LongAdder count = counts.get(denial);
        if (count == null) {
            if (kinds.incrementAndGet() > MAX_KINDS) {
                kinds.decrementAndGet();
                other.increment();
                return false;
            }
            LongAdder fresh = new LongAdder();
            count = counts.putIfAbsent(denial, fresh);
            if (count == null) {
                fresh.increment();
                return true;
            }
            kinds.decrementAndGet();
        }
        count.increment();
        return false;
    }

    /**
     * Hands each kind's count since the last call to {@code kind}, then the count of kinds beyond
     * {@link #MAX_KINDS} (if any) to {@code beyond}; forgets the kinds that saw no refusal since.
     */
    void drain(ObjLongConsumer<Denial> kind, LongConsumer beyond) {
        counts.forEach((denial, count) -> {
            long since = count.sumThenReset();
            if (since > 0) {
                kind.accept(denial, since);
            } else if (counts.remove(denial, count)) {
                kinds.decrementAndGet();
            }
        });
        long others = other.sumThenReset();
        if (others > 0) {
            beyond.accept(others);
        }
    }
}
