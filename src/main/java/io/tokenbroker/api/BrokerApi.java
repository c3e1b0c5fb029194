package io.tokenbroker.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The broker's HTTP API as the OpenAPI document ({@code /q/openapi}) describes it: every call needs a
 * bearer credential, so Swagger UI offers an Authorize button ({@code dev-key} in dev mode).
 * {@code /platform/…} is described in {@code META-INF/openapi.yaml}, as it is a Vert.x route.
 */
@OpenAPIDefinition(info = @Info(title = "token-broker", version = "1.0",
        description = "Hands one shared platform Access-Token to every internal service, and makes the platform's "
                + "business calls for them."),
        security = @SecurityRequirement(name = BrokerApi.BEARER))
@SecurityScheme(securitySchemeName = BrokerApi.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "A caller's API key (whose SHA-256 is broker.callers.NAME.key-sha256; in dev mode: dev-key), "
                + "or a Kubernetes ServiceAccount token for audience token-broker.")
public class BrokerApi extends Application {

    static final String BEARER = "bearer";
}
