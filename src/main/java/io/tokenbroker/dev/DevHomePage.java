package io.tokenbroker.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import io.tokenbroker.api.Problem;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenStateReport;
import io.tokenbroker.token.UnknownClientException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The broker's page in dev mode, at {@code /}: each client's token state (never the token), a button
 * that forces a refresh, the dev key, and links to Swagger UI and the Dev UI. Quarkus 3.34 lets only
 * an extension's deployment module add a Dev UI card, so this page stands in for one. In dev and test
 * builds only: absent from the packaged application.
 */
@Singleton
@IfBuildProfile(anyOf = {"dev", "test"})
class DevHomePage {

    static final String PATH = "/";
    static final String REFRESH = "/dev/refresh";
    private static final Duration REFRESH_WAIT = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(DevHomePage.class);

    private final TokenBroker broker;
    private final int managementPort;

    DevHomePage(TokenBroker broker, @ConfigProperty(name = "quarkus.management.port", defaultValue = "9000") int managementPort) {
        this.broker = broker;
        this.managementPort = managementPort;
    }

    void route(@Observes Router router) {
        router.get(PATH).handler(this::page);
        router.post(REFRESH).blockingHandler(this::refresh);
    }

    private void page(RoutingContext context) {
        StringBuilder rows = new StringBuilder();
        for (TokenStateReport client : broker.reports()) {
            rows.append(row(client));
        }
        context.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store").end(DevPageHtml.page(rows.toString(), managementPort));
    }

    /** Forces a new token from the simulator (as an operator's rotation does), then shows the page again. */
    private void refresh(RoutingContext context) {
        String client = context.request().getParam("client");
        try {
            broker.rotateNow(client == null ? "" : client, "dev-page", REFRESH_WAIT);
            context.response().setStatusCode(303).putHeader("Location", PATH).end();
        } catch (UnknownClientException unknown) {
            context.response().setStatusCode(404).end("unknown client");
        } catch (RuntimeException failed) {
            Problem problem = Problem.orInternalError(failed, LOG);
            context.response().setStatusCode(problem.status()).putHeader("Content-Type", "text/plain")
                    .end("no new token: " + problem.detail());
        }
    }

    private static String row(TokenStateReport client) {
        String state = client.fingerprint() == null ? "no token yet (one is fetched on the first request)"
                : client.fingerprint() + " · generation " + client.generation() + " · served until "
                        + client.servedUntil() + " (" + Duration.between(Instant.now(), client.servedUntil()).toMinutes()
                        + " min) · next refresh " + client.nextRefresh();
        String failure = client.lastFailure() == null ? ""
                : " · last failure: " + client.lastFailure().kind() + " at " + client.lastFailure().at();
        return "<tr><td>" + DevPageHtml.escape(client.client()) + "</td><td>" + DevPageHtml.escape(state + failure)
                + "</td><td><form method=\"post\" action=\"" + REFRESH + "?client=" + DevPageHtml.escape(client.client())
                + "\"><button>Force a new token</button></form></td></tr>\n";
    }
}
