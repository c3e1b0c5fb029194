package io.tokenbroker.bench.floor;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /token}: the broker's answer, with none of its work: the same JSON, from a field. It is
 * answered on the I/O thread, like the broker's hot path. Without {@code @NonBlocking}, Quarkus REST
 * would run a method returning a {@code String} on a worker thread, and the floor would be lower than
 * the framework's limit.
 */
@Path("/token")
public class FloorResource {

    private final String json = "{\"client\":\"default\",\"accessToken\":\"" + "0123456789abcdef".repeat(3)
            + "\",\"expiresAt\":\"2026-11-24T12:00:00Z\",\"expiresIn\":6812}";

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    public String token() {
        return json;
    }
}
