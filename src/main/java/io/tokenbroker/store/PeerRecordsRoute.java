package io.tokenbroker.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.ManagementInterface;
import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ClientNames;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenRecord;
import io.tokenbroker.token.UnknownClientException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /q/broker/peer/records?clients=A,B} on the management interface: the records this replica
 * holds, for a peer cut off from Redis ({@link PeerExchange}). Each is sealed with
 * {@code broker.store.encryption-key} as in Redis, with the time it has left, so only holders of the key
 * can read it and nobody can forge one; without a key the route answers 404 and nothing leaves.
 */
@Singleton
class PeerRecordsRoute {

    private final TokenBroker broker;
    private final RecordCodec codec;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    PeerRecordsRoute(BrokerConfig config, TokenBroker broker, Clock clock) {
        this.broker = broker;
        this.clock = clock;
        this.codec = RecordCodec.from(config, clock);
    }

    void install(@Observes ManagementInterface management) {
        management.router().get(PeerExchange.PATH).handler(this::answer);
    }

    private void answer(RoutingContext context) {
        if (!codec.sealing()) {
            context.response().setStatusCode(404).end();
            return;
        }
        Map<String, Map<String, String>> records = new HashMap<>();
        String asked = context.request().getParam("clients", "");
        for (String client : asked.split(",")) {
            if (!ClientNames.isValid(client) || records.size() >= 1024) {
                continue;
            }
            TokenRecord held = held(client);
            if (held != null && held.servableAt(clock.millis())) {
                Map<String, String> fields = new HashMap<>();
                List<String> encoded = codec.encode(client, held);
                for (int i = 0; i + 1 < encoded.size(); i += 2) {
                    fields.put(encoded.get(i), encoded.get(i + 1));
                }
                fields.put("ttl", Long.toString(held.remainingAt(clock.instant()).toMillis()));
                records.put(client, fields);
            }
        }
        try {
            context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(json.writeValueAsString(records));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }

    private TokenRecord held(String client) {
        try {
            return broker.held(client);
        } catch (UnknownClientException unknown) {
            return null;
        }
    }
}
