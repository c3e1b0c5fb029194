package io.tokenbroker.api;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.tokenbroker.security.CallerAuthenticated;
import io.tokenbroker.security.CallerAuthenticationFilter;
import io.tokenbroker.security.ClientAccess;
import io.tokenbroker.token.TokenBroker;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /token[?client=NAME]}: the current access token of a client, as JSON or as bare text;
 * {@code POST /token/refresh[?client=NAME]}: replace a token the platform rejected.
 */
@Path("/token")
@CallerAuthenticated
public class TokenResource {

    /** The query parameter naming the client. */
    static final String CLIENT = "client";

    private final TokenBroker broker;
    private final ClientAccess access;
    private final TokenResponses responses;

    TokenResource(TokenBroker broker, ClientAccess access, TokenResponses responses) {
        this.broker = broker;
        this.access = access;
        this.responses = responses;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> json(@Context ContainerRequestContext request, @Context HttpServerRequest http) {
        String name = client(request, http);
        return broker.currentToken(name).map(record -> responses.json(name, record));
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Uni<Response> text(@Context ContainerRequestContext request, @Context HttpServerRequest http) {
        String name = client(request, http);
        return broker.currentToken(name).map(responses::text);
    }

    @POST
    @Path("/refresh")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> refresh(RefreshRequest body, @Context ContainerRequestContext request,
            @Context HttpServerRequest http) {
        String name = client(request, http);
        if (body == null || !body.isValid()) {
            throw new InvalidRequestException("the body must be {\"rejectedToken\":\"<the token the platform refused>\"}");
        }
        return broker.replaceRejected(name, body.rejectedToken()).map(record -> responses.json(name, record));
    }

    /** The client asked for: read raw, because {@code @QueryParam} cannot tell {@code ?client=} from absent. */
    private String client(ContainerRequestContext request, HttpServerRequest http) {
        return access.resolve(CallerAuthenticationFilter.callerOf(request), http.getParam(CLIENT));
    }
}
