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
 * installed. It accepts client {@value #CLIENT_ID} with secret {@value #SECRET}, and answers every
 * other path under {@code /dev/platform/openapi/} as a business API would: with the envelope, if the
 * {@code Access-Token} is the one it issued last and a {@code Request-Id} is present.
 */
@Singleton
@IfBuildProfile("dev")
class PlatformSimulator {

    static final String CLIENT_ID = "dev-client";
    static final String SECRET = "dev-secret";
    private static final String PATH = "/dev/platform/openapi/auth/credential";
    private static final Logger LOG = Logger.getLogger(PlatformSimulator.class);

    private static final String BUSINESS_PATHS = "/dev/platform/openapi/*";

    private final SecureRandom random = new SecureRandom();
    private volatile String issued;

    void route(@Observes Router router) {
        router.post(PATH).handler(this::credential);
        router.route(BUSINESS_PATHS).handler(this::business);
        LOG.infof("Dev mode: the platform simulator answers POST %s and business calls on %s", PATH, BUSINESS_PATHS);
    }

    private void business(RoutingContext request) {
        String token = request.request().getHeader("Access-Token");
        String requestId = request.request().getHeader("Request-Id");
        boolean valid = token != null && token.equals(issued);
        JsonObject data = new JsonObject().put("method", request.request().method().name())
                .put("path", request.request().path()).put("query", request.request().query())
                .put("requestId", requestId);
        JsonObject envelope = envelope(valid && requestId != null ? 200 : valid ? 400 : 401,
                valid ? requestId != null ? "success" : "Request-Id is required" : "token invalid or expired",
                valid && requestId != null ? data : null);
        request.response().putHeader("Content-Type", "application/json").end(envelope.encode());
    }

    private void credential(RoutingContext request) {
        boolean valid = CLIENT_ID.equals(request.queryParams().get("clientId"))
                && SECRET.equals(request.queryParams().get("secret"))
                && "2".equals(request.queryParams().get("userType"));
        String token = valid ? "dev-" + HexFormat.of().formatHex(bytes(16)) : null;
        if (valid) {
            issued = token; // a new token invalidates the previous one, as on the platform
        }
        JsonObject envelope = envelope(valid ? 200 : 401, valid ? "success" : "invalid clientId or secret", token);
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "application/json").end(envelope.encode());
    }

    private JsonObject envelope(int code, String message, Object data) {
        return new JsonObject()
                .put("code", code)
                .put("message", message)
                .put("trackId", HexFormat.of().formatHex(bytes(8)))
                .put("data", data)
                .put("extr", null)
                .put("timestamp", System.currentTimeMillis())
                .put("_status", code == 200 ? "SUCCESS" : "FAIL")
                .put("ok", code == 200);
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
