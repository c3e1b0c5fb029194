package io.tokenbroker.api;

import io.smallrye.mutiny.Uni;
import io.tokenbroker.config.ClientNames;
import io.tokenbroker.metrics.BrokerMetrics;
import io.tokenbroker.security.AuditTrail;
import io.tokenbroker.security.CallerAuthenticated;
import io.tokenbroker.security.Caller;
import io.tokenbroker.security.CallerAuthenticationFilter;
import io.tokenbroker.security.ClientAccess;
import io.tokenbroker.token.TokenBroker;
import io.tokenbroker.token.TokenRecord;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /token[?client=NAME]}: the current access token of a client, as JSON or as bare text;
 * {@code POST /token/refresh[?client=NAME]}: replace a token the platform rejected.
 */
@Path("/token")
@CallerAuthenticated
public class TokenResource {

    /** The query parameter naming the client. */
    static final String CLIENT = "client";
    private static final String RESOLVED_CLIENT = TokenResource.class.getName() + ".client";

    private final TokenBroker broker;
    private final ClientAccess access;
    private final TokenResponses responses;
    private final AuditTrail audit;

    TokenResource(TokenBroker broker, ClientAccess access, TokenResponses responses, AuditTrail audit) {
        this.broker = broker;
        this.access = access;
        this.responses = responses;
        this.audit = audit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The current access token of a client",
            description = "Answered from memory while the token is fresh. Cache-Control: private, max-age=N "
                    + "sends callers back when the broker starts refreshing.")
    @Parameter(name = CLIENT, in = ParameterIn.QUERY, description = "client name; the default client when absent",
            schema = @Schema(type = SchemaType.STRING, pattern = ClientNames.PATTERN))
    @APIResponse(responseCode = "200", description = "the token: as JSON, or bare with Accept: text/plain",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenResponse.class)),
                @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "406", description = "Accept allows neither application/json nor text/plain",
            content = @Content(mediaType = ProblemDetail.MEDIA_TYPE, schema = @Schema(implementation = ProblemDetail.class)))
    @ProblemResponses
    public Uni<byte[]> json(@Context ContainerRequestContext request, @Context HttpServerRequest http) {
        return handOut(request, http, true);
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(hidden = true)
    public Uni<byte[]> text(@Context ContainerRequestContext request, @Context HttpServerRequest http) {
        return handOut(request, http, false);
    }

    @POST
    @Path("/refresh")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a token the platform rejected",
            description = "If the reported token is still current, it is replaced once across all replicas; "
                    + "if it was already replaced, the current token is returned without calling the platform.")
    @Parameter(name = CLIENT, in = ParameterIn.QUERY, description = "client name; the default client when absent",
            schema = @Schema(type = SchemaType.STRING, pattern = ClientNames.PATTERN))
    @APIResponse(responseCode = "200", description = "the current (new) token",
            content = @Content(schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "413", description = "the body is larger than 16 KiB",
            content = @Content(mediaType = ProblemDetail.MEDIA_TYPE, schema = @Schema(implementation = ProblemDetail.class)))
    @APIResponse(responseCode = "415", description = "the body is not application/json",
            content = @Content(mediaType = ProblemDetail.MEDIA_TYPE, schema = @Schema(implementation = ProblemDetail.class)))
    @APIResponse(responseCode = "429", description = "a forced refresh of this client happened moments ago, or this caller "
            + "forced its share of refreshes (Retry-After)",
            content = @Content(mediaType = ProblemDetail.MEDIA_TYPE, schema = @Schema(implementation = ProblemDetail.class)))
    @ProblemResponses
    public Uni<Response> refresh(RefreshRequest body, @Context ContainerRequestContext request,
            @Context HttpServerRequest http) {
        String name = client(request, http);
        if (body == null || !body.namesAToken()) {
            throw new InvalidRequestException("the body must be {\"rejectedToken\":\"<the token the platform refused>\"}");
        }
        Caller caller = CallerAuthenticationFilter.callerOf(request);
        return broker.replaceRejected(name, body.rejectedToken(), caller.name()).map(record -> {
            audit.refreshed(caller, name, body.rejectedToken(), record, Peers.remote(http));
            return responses.json(name, caller.name(), record);
        });
    }

    /** A fresh token in memory is answered at once; otherwise when the broker has one. */
    private Uni<byte[]> handOut(ContainerRequestContext request, HttpServerRequest http, boolean json) {
        String name = client(request, http);
        TokenRecord fresh = broker.servableNow(name);
        if (fresh != null) {
            return Uni.createFrom().item(handOut(request, http, name, fresh, json));
        }
        return broker.currentToken(name).map(record -> handOut(request, http, name, record, json));
    }

    private byte[] handOut(ContainerRequestContext request, HttpServerRequest http, String name, TokenRecord record,
            boolean json) {
        Caller caller = CallerAuthenticationFilter.callerOf(request);
        audit.handedOut(caller, name, record, Peers.remote(http));
        return responses.handOut(name, caller.name(), record, json, http.response());
    }

    /**
     * The client asked for: read raw, because {@code @QueryParam} cannot tell {@code ?client=} from
     * absent; kept on the request, so that a failure is counted and audited under it.
     */
    private String client(ContainerRequestContext request, HttpServerRequest http) {
        String name = access.resolve(CallerAuthenticationFilter.callerOf(request), http.getParam(CLIENT));
        request.setProperty(RESOLVED_CLIENT, name);
        return name;
    }

    /** The configured client a request was resolved to, or {@code none} if it failed before. */
    static String clientOf(ContainerRequestContext request) {
        Object client = request.getProperty(RESOLVED_CLIENT);
        return client == null ? BrokerMetrics.NO_CLIENT : (String) client;
    }
}
