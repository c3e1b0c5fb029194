package io.tokenbroker.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * A stand-in for the platform's credential endpoint, served by the broker itself in dev mode only
 * (the bean is removed from every other build), so {@code ./mvnw quarkus:dev} works with nothing
 * installed. It accepts client {@value #CLIENT_ID} with secret {@value #SECRET}.
 */
@Singleton
@IfBuildProfile("dev")
class PlatformSimulator {

    static final String CLIENT_ID = "dev-client";
    static final String SECRET = "dev-secret";
    private static final String PATH = "/dev/platform/openapi/auth/credential";
    private static final Logger LOG = Logger.getLogger(PlatformSimulator.class);

    private final SecureRandom random = new SecureRandom();

    void route(@Observes Router router) {
        router.post(PATH).handler(this::credential);
        LOG.infof("Dev mode: the platform simulator answers POST %s", PATH);
    }

    private void credential(RoutingContext request) {
        boolean valid = CLIENT_ID.equals(request.queryParams().get("clientId"))
                && SECRET.equals(request.queryParams().get("secret"))
                && "2".equals(request.queryParams().get("userType"));
        JsonObject envelope = new JsonObject()
                .put("code", valid ? 200 : 401)
                .put("message", valid ? "success" : "invalid clientId or secret")
                .put("trackId", HexFormat.of().formatHex(bytes(8)))
                .put("data", valid ? "dev-" + HexFormat.of().formatHex(bytes(16)) : null)
                .put("extr", null)
                .put("timestamp", System.currentTimeMillis())
                .put("_status", valid ? "SUCCESS" : "FAIL")
                .put("ok", valid);
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "application/json").end(envelope.encode());
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
