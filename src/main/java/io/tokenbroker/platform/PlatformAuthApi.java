package io.tokenbroker.platform;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The platform's credential endpoint. Its parameters are query parameters of a POST with an empty
 * body, as the platform's document demands. Only {@link PlatformTokenSource} uses it: the URL carries
 * the secret, so it must never be logged.
 */
@Path(PlatformAuthApi.PATH)
interface PlatformAuthApi {

    String PATH = "/openapi/auth/credential";

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    Response credential(
            @QueryParam("clientId") String clientId,
            @QueryParam("secret") String secret,
            @QueryParam("userType") String userType);
}
