package io.tokenbroker.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Map;

/**
 * What to tell a caller whose request Quarkus REST refused before the broker saw it (no such path,
 * method, media type): what to send instead. Never echoes the caller's path or body, which may hold a
 * token; only the broker's own paths are named.
 */
final class HttpErrors {

    private static final String REFRESH_BODY = "{\"rejectedToken\":\"<the token the platform refused>\"}";
    private static final String API = "the broker serves GET /token, POST /token/refresh and /platform/CLIENT/PATH; "
            + "health, metrics and the OpenAPI document are on the management port";

    /** The methods each of the broker's own Quarkus REST paths serves. */
    private static final Map<String, String> ALLOWED = Map.of("/token", "GET, HEAD", "/token/refresh", "POST");

    private HttpErrors() {
    }

    /** The {@code detail} of a refusal with this status. */
    static String detail(WebApplicationException e, ContainerRequestContext request) {
        String path = ownPath(request);
        switch (e.getResponse().getStatus()) {
            case 400:
                JsonProcessingException json = jsonCause(e);
                return json == null ? "the request cannot be served as sent" : unreadableJson(json);
            case 404:
                return "no such endpoint: " + API;
            case 405:
                return request.getMethod() + " is not served on " + (path == null ? "this path" : path)
                        + (path == null ? "" : ": use " + ALLOWED.get(path));
            case 406:
                return (path == null ? "this endpoint" : path) + " answers "
                        + ("/token".equals(path) ? "application/json or text/plain" : "application/json")
                        + ": send an Accept header that allows it (or none)";
            case 415:
                return "send the body as JSON with Content-Type: application/json, e.g. curl -H 'Content-Type: "
                        + "application/json' -d '" + REFRESH_BODY + "'";
            default:
                return "the request cannot be served as sent";
        }
    }

    /** The methods a 405 allows, for its {@code Allow} header; null for other refusals. */
    static String allowed(WebApplicationException e, ContainerRequestContext request) {
        return e.getResponse().getStatus() == 405 ? ALLOWED.get(ownPath(request)) : null;
    }

    /** Where a body stopped being JSON, without quoting it. */
    static String unreadableJson(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? ""
                : " (it stops being so at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        return "the body must be JSON of the form " + REFRESH_BODY + where;
    }

    private static JsonProcessingException jsonCause(Throwable failure) {
        for (Throwable cause = failure; cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return json;
            }
        }
        return null;
    }

    private static String ownPath(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return ALLOWED.containsKey(path) ? path : null;
    }
}
