package io.tokenbroker.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.token.PeerRecords;
import io.tokenbroker.token.StoredRecord;
import io.tokenbroker.token.TokenRecord;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Asks the other replicas ({@code broker.peers}) for the records they hold, over their management
 * interfaces: each record sealed with {@code broker.store.encryption-key} exactly as Redis would hold
 * it, with the time it has left by the peer's clock, and verified by {@link RecordCodec} as a record
 * read from Redis is. So the token never crosses the wire in the clear, and a peer (or anyone on the
 * way) without the key can neither read nor forge one. Host names are resolved at every ask, so a
 * headless Service's changing pods are found.
 */
@Singleton
class PeerExchange implements PeerRecords {

    static final String PATH = "/q/broker/peer/records";
    private static final Logger LOG = Logger.getLogger(PeerExchange.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);
    private static final TypeReference<Map<String, Map<String, String>>> ANSWER = new TypeReference<>() {
    };
    /** Largest answer read from a peer: records of every client, sealed, with room to spare. */
    private static final int MOST_ANSWER_BYTES = 4 * 1024 * 1024;

    private final List<String> peers;
    private final RecordCodec codec;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).build();

    PeerExchange(BrokerConfig config, Clock clock) {
        this.peers = config.peers().orElse(List.of());
        this.codec = RecordCodec.from(config, clock);
    }

    @Override
    public boolean configured() {
        return !peers.isEmpty() && codec.sealing();
    }

    @Override
    public Map<String, TokenRecord> newest(Collection<String> clients) {
        Map<String, TokenRecord> newest = new HashMap<>();
        if (!configured() || clients.isEmpty()) {
            return newest;
        }
        String query = "?clients=" + String.join(",", clients);
        for (URI peer : addresses()) {
            answerOf(peer.resolve(PATH + query)).forEach((client, fields) -> {
                if (!clients.contains(client)) {
                    return;
                }
                StoredRecord read = codec.decode(client, fields, ttl(fields.get("ttl")));
                read.present().filter(record -> record.newerThan(newest.get(client)))
                        .ifPresent(record -> newest.put(client, record));
            });
        }
        return newest;
    }

    /** Every address of every configured peer, a DNS name's all. */
    private List<URI> addresses() {
        List<URI> all = new ArrayList<>();
        for (String peer : peers) {
            int colon = peer.lastIndexOf(':');
            String host = colon < 0 ? peer : peer.substring(0, colon);
            String port = colon < 0 ? "9000" : peer.substring(colon + 1);
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    String literal = address.getHostAddress();
                    all.add(URI.create("http://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":" + port));
                }
            } catch (UnknownHostException | IllegalArgumentException unknown) {
                LOG.debugf("Peer %s cannot be resolved (%s)", peer, unknown.getClass().getSimpleName());
            }
        }
        return all;
    }

    private Map<String, Map<String, String>> answerOf(URI uri) {
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(uri).timeout(ASK_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200 || answer.body().length > MOST_ANSWER_BYTES) {
                return Map.of();
            }
            return json.readValue(answer.body(), ANSWER);
        } catch (IOException | RuntimeException unreachable) {
            LOG.debugf("Peer %s did not answer (%s)", uri.getHost(), unreachable.getClass().getSimpleName());
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static long ttl(String text) {
        try {
            return text == null ? -1 : Long.parseLong(text);
        } catch (NumberFormatException malformed) {
            return -1;
        }
    }
}
