package io.tokenbroker.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * Events counted by kind between two audit summaries, for events anyone can cause as often as they
 * like (refusals, business calls): only the first of each kind is written at once and the rest are
 * counted, so nobody can flood the log; and at most {@link #MAX_KINDS} kinds are tracked at once, so
 * nobody can grow the map. Events of further kinds are still counted, by their owner (the caller, a
 * configured name), so that an overflow still says whose events they were.
 */
final class KindCounts<K> {

    /** Most kinds tracked at once. */
    static final int MAX_KINDS = 256;

    private final Map<K, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicInteger kinds = new AtomicInteger();
    private final Map<String, LongAdder> beyondByOwner = new ConcurrentHashMap<>();
    private final Function<K, String> owner;

    /** @param owner whose event a kind is (a configured caller's name, or "-"): overflows are counted by it */
    KindCounts(Function<K, String> owner) {
        this.owner = owner;
    }

    /**
     * Counts an event of {@code kind}. True when it is the first of its kind since that kind was last
     * forgotten: the caller then writes it out at once.
     */
    boolean count(K kind) {
        LongAdder count = counts.get(kind);
        if (count == null) {
            if (kinds.incrementAndGet() > MAX_KINDS) {
                kinds.decrementAndGet();
                beyondByOwner.computeIfAbsent(owner.apply(kind), name -> new LongAdder()).increment();
                return false;
            }
            LongAdder fresh = new LongAdder();
            count = counts.putIfAbsent(kind, fresh);
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
     * Hands each kind's count since the last call to {@code each}, then each owner's count of events
     * of kinds beyond {@link #MAX_KINDS} (if any) to {@code beyond}; forgets the kinds that saw no event since.
     */
    void drain(ObjLongConsumer<K> each, ObjLongConsumer<String> beyond) {
        counts.forEach((kind, count) -> {
            long since = count.sumThenReset();
            if (since > 0) {
                each.accept(kind, since);
            } else if (counts.remove(kind, count)) {
                kinds.decrementAndGet();
            }
        });
        beyondByOwner.forEach((name, count) -> {
            long others = count.sumThenReset();
            if (others > 0) {
                beyond.accept(name, others);
            } else {
                beyondByOwner.remove(name, count);
            }
        });
    }
}
