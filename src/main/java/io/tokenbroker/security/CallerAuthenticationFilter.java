package io.tokenbroker.security;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every call of a {@link CallerAuthenticated} resource before the resource runs, so an
 * unauthenticated request causes no Redis or platform work.
 */
public class CallerAuthenticationFilter {

    /** Request property holding the authenticated {@link Caller}. */
    static final String CALLER = CallerAuthenticationFilter.class.getName() + ".caller";

    private final CallerRegistry callers;

    CallerAuthenticationFilter(CallerRegistry callers) {
        this.callers = callers;
    }

    @CallerAuthenticated
    @ServerRequestFilter
    void authenticate(ContainerRequestContext request) {
        request.setProperty(CALLER, callers.authenticate(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
    }

    /** The caller the filter authenticated for {@code request}. */
    public static Caller callerOf(ContainerRequestContext request) {
        return (Caller) request.getProperty(CALLER);
    }
}
