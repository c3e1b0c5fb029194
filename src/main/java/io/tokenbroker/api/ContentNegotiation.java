package io.tokenbroker.api;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Holds callers to their {@code Accept} header: a request that accepts none of the media types its
 * method produces is answered 406, and an unparseable header 400, where Quarkus REST would otherwise
 * fall back to a type the caller did not ask for (or fail with a 500).
 */
class ContentNegotiation {

    private final Map<Method, List<MediaType>> produced = new ConcurrentHashMap<>();

    @ServerRequestFilter
    void requireAcceptable(ContainerRequestContext request, ResourceInfo resource) {
        String accept = request.getHeaderString("Accept");
        if (acceptsJson(accept) || resource.getResourceMethod() == null) {
            return; // what nearly every caller sends: nothing to negotiate
        }
        List<MediaType> acceptable;
        try {
            acceptable = request.getAcceptableMediaTypes();
        } catch (IllegalArgumentException malformed) {
            throw new BadRequestException("the Accept header cannot be parsed");
        }
        List<MediaType> offered = produced.computeIfAbsent(resource.getResourceMethod(), ContentNegotiation::producedBy);
        boolean match = offered.isEmpty() || acceptable.stream().anyMatch(wanted -> offered.stream().anyMatch(wanted::isCompatible));
        if (!match) {
            throw new NotAcceptableException();
        }
    }

    /** Whether an {@code Accept} header is one of the plain forms that take JSON: absent, any, or JSON. */
    static boolean acceptsJson(String accept) {
        return accept == null || accept.equals("*/*") || accept.equals(MediaType.APPLICATION_JSON);
    }

    private static List<MediaType> producedBy(Method method) {
        Produces produces = method.getAnnotation(Produces.class);
        return produces == null ? List.of()
                : Arrays.stream(produces.value()).map(MediaType::valueOf).toList();
    }
}
