package io.tokenbroker.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.tokenbroker.testing.AnsweredByQuarkusRest;
import io.tokenbroker.testing.BrokerTestResources;
import io.tokenbroker.testing.TestAccounts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route that answers the usual {@code GET /token} ahead of Quarkus REST gives exactly the answer
 * {@link TokenResource} gives, and leaves every other request to it.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class FreshTokenRouteTest {

    private static final String ALICE = "Bearer " + TestAccounts.ALICE_KEY;

    @BeforeEach
    void tokenInMemory() {
        given().header("Authorization", ALICE).get("/token?client=other").then().statusCode(200);
    }

    @Test
    void answersTheUsualRequestsItself() {
        for (String accept : new String[] {null, "*/*", "application/json", "text/plain"}) {
            Response answer = get("/token?client=other", "Bearer " + TestAccounts.BOB_KEY, accept);
            assertThat(answer.statusCode()).as("Accept: %s", accept).isEqualTo(200);
            assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).as("Accept: %s", accept).isNull();
        }
    }

    @Test
    void givesTheResourcesJsonAnswer() {
        // application/* is negotiated by Quarkus REST; application/json is answered by the route.
        assertSameAnswer(get("/token?client=other", ALICE, "application/json"),
                get("/token?client=other", ALICE, "application/*"));
    }

    @Test
    void givesTheResourcesBareTokenAnswer() {
        assertSameAnswer(get("/token?client=other", ALICE, "text/plain"), get("/token?client=other", ALICE, "text/*"));
    }

    @Test
    void servesTheDefaultClientWhenNoneIsNamed() {
        given().header("Authorization", ALICE).get("/token").then().statusCode(200);

        Response answer = get("/token", ALICE, null);
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isNull();
        assertThat(answer.<String>path("client")).isEqualTo("default");
    }

    @Test
    void leavesErrorsToTheResource() {
        assertAnsweredByResource(get("/token?client=other", null, null), 401);
        assertAnsweredByResource(get("/token?client=other", "Bearer not-a-key", null), 401);
        assertAnsweredByResource(get("/token?client=default", "Bearer " + TestAccounts.BOB_KEY, null), 403);
        assertAnsweredByResource(get("/token?client=nobody", ALICE, null), 404);
        assertAnsweredByResource(get("/token?client=", ALICE, null), 400);
        assertAnsweredByResource(get("/token?client=other", ALICE, "application/xml"), 406);
    }

    @Test
    void leavesAGetWithABodyToTheResource() {
        Response answer = given().header("Authorization", ALICE).contentType("application/json").body("{}")
                .get("/token?client=other");
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isNotNull();
    }

    private static Response get(String path, String authorization, String accept) {
        var request = given();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (accept != null) {
            request.accept(accept);
        }
        return request.get(path);
    }

    private static void assertSameAnswer(Response route, Response resource) {
        assertThat(route.header(AnsweredByQuarkusRest.HEADER)).isNull();
        assertThat(resource.header(AnsweredByQuarkusRest.HEADER)).isNotNull();
        assertThat(route.statusCode()).isEqualTo(resource.statusCode()).isEqualTo(200);
        assertThat(route.contentType()).isEqualTo(resource.contentType());
        assertThat(route.header("Cache-Control")).startsWith("private, max-age=");
        // expiresIn and max-age count down in whole seconds, so the two answers may be a second apart.
        assertThat(withoutSeconds(route.asString())).isEqualTo(withoutSeconds(resource.asString()));
        assertThat(withoutSeconds(route.header("Cache-Control"))).isEqualTo(withoutSeconds(resource.header("Cache-Control")));
    }

    private static String withoutSeconds(String answer) {
        return answer.replaceAll("\"expiresIn\":\\d+", "\"expiresIn\":N").replaceAll("max-age=\\d+", "max-age=N");
    }

    private static void assertAnsweredByResource(Response answer, int status) {
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.contentType()).isEqualTo(ProblemDetail.MEDIA_TYPE);
        assertThat(answer.header(AnsweredByQuarkusRest.HEADER)).isEqualTo("quarkus-rest");
    }
}
