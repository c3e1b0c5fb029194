package io.tokenbroker.testing;

import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Marks every answer Quarkus REST gives in the test application, so a test can tell it from one the
 * broker's own {@code GET /token} route gave ahead of Quarkus REST.
 */
public class AnsweredByQuarkusRest {

    /** The header the mark is in; absent from answers Quarkus REST did not give. */
    public static final String HEADER = "X-Test-Answered-By";

    @ServerResponseFilter
    void mark(ContainerResponseContext response) {
        response.getHeaders().putSingle(HEADER, "quarkus-rest");
    }
}
