package io.tokenbroker.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.ManagementInterface;
import io.tokenbroker.api.Peers;
import io.tokenbroker.api.Problem;
import io.tokenbroker.api.ProblemResponder;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerRegistry;
import io.tokenbroker.security.ClientAccess;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenRecord;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Operators' routes on the management interface (never on the callers' port), for callers with
 * {@code broker.callers.CALLER.admin=true}: every client's token state ({@code GET /q/broker/clients},
 * {@code GET /q/broker/clients/NAME}) and {@code POST /q/broker/clients/NAME/rotate}, which replaces
 * the token as a refused one is replaced: one platform call for every replica, within the same floors.
 * No answer ever holds a token; rotation answers with the new token's fingerprint.
 */
@Singleton
class AdminRoutes {

    static final String CLIENTS = "/q/broker/clients";
    private static final Logger LOG = Logger.getLogger(AdminRoutes.class);
    /** Longer than any acquisition may take (lock wait, platform time-outs and retries). */
    private static final Duration ROTATION_WAIT = Duration.ofSeconds(60);

    private final TokenStateView view;
    private final TokenBroker broker;
    private final CallerRegistry callers;
    private final ClientAccess access;
    private final AuditTrail audit;
    private final ProblemResponder problems;
    private final ObjectMapper json;

    AdminRoutes(TokenStateView view, TokenBroker broker, CallerRegistry callers, ClientAccess access, AuditTrail audit,
            ProblemResponder problems, ObjectMapper json) {
        this.view = view;
        this.broker = broker;
        this.callers = callers;
        this.access = access;
        this.audit = audit;
        this.problems = problems;
        this.json = json;
    }

    /** Blocking handlers: authentication may fetch signing keys, and the lock holder is read from Redis. */
    void install(@Observes ManagementInterface management) {
        management.router().get(CLIENTS).blockingHandler(context -> answer(context, caller ->
                Map.of("clients", view.all())), false);
        management.router().get(CLIENTS + "/:client").blockingHandler(context -> answer(context, caller ->
                view.of(client(context))), false);
        management.router().post(CLIENTS + "/:client/rotate").blockingHandler(context -> answer(context, caller ->
                rotate(context, caller, client(context))), false);
    }

    private Object rotate(RoutingContext context, Caller caller, String client) {
        TokenRecord before = broker.held(client);
        TokenRecord after = broker.rotateNow(client, caller.name(), ROTATION_WAIT);
        audit.rotated(caller, client, before, after, Peers.remote(context.request()));
        return view.of(client);
    }

    /** The configured client named in the path: a malformed name is never looked up or echoed. */
    private String client(RoutingContext context) {
        return access.requireConfigured(context.pathParam("client"));
    }

    private void answer(RoutingContext context, AdminAction action) {
        Caller caller = null;
        try {
            caller = callers.authenticate(context.request().getHeader(HttpHeaders.AUTHORIZATION));
            access.requireAdmin(caller);
            String body = json.writeValueAsString(action.run(caller));
            context.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body);
        } catch (RuntimeException | JsonProcessingException failure) {
            Problem problem = Problem.orInternalError(failure, LOG);
            if (problem.status() < 500) {
                LOG.debugf("HTTP %d: %s", problem.status(), problem.detail());
            }
            if (problem.status() == 401 || problem.status() == 403) {
                audit.denied(caller, null, problem.status(), Peers.remote(context.request()));
            }
            problems.send(context.response(), problem);
        }
    }

    /** What an admin route does once its caller is known to be an operator. */
    @FunctionalInterface
    private interface AdminAction {
        Object run(Caller caller);
    }
}
