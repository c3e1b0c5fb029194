package io.tokenbroker.token;

import java.util.Collection;
import java.util.Map;

/**
 * The records this replica's peers hold in memory: the second source of the newest token when Redis
 * cannot be reached, so that a replica cut off from Redis serves what its peers rotated to and never
 * kills a token they may be serving. Verified as records read from Redis are.
 */
public interface PeerRecords {

    /** No peers configured. */
    PeerRecords NONE = new PeerRecords() {
        @Override
        public Map<String, TokenRecord> newest(Collection<String> clients) {
            return Map.of();
        }

        @Override
        public boolean configured() {
            return false;
        }
    };

    /**
     * The newest servable record any reachable peer holds of each of {@code clients} (clients no peer
     * answered for are absent). Blocking, bounded by a short time-out per peer; never throws for an
     * unreachable peer.
     */
    Map<String, TokenRecord> newest(Collection<String> clients);

    /** Whether any peer is configured. */
    boolean configured();
}
