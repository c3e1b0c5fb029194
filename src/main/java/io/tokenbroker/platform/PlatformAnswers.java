package io.tokenbroker.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Set;

/**
 * The one place that decides what a platform answer means: a token; a failure that certainly issued
 * nothing (HTTP 429 or 503, a busy code), the only kind worth an immediate retry; a failure after which
 * a token may have been issued anyway (other 5xx, 408); or rejected credentials that no retry can fix.
 */
final class PlatformAnswers {

    private final ObjectMapper json;
    private final Set<Integer> busyCodes;
    private final Duration retryAfter;

    PlatformAnswers(ObjectMapper json, Set<Integer> busyCodes, Duration retryAfter) {
        this.json = json;
        this.busyCodes = Set.copyOf(busyCodes);
        this.retryAfter = retryAfter;
    }

    /** The token in an answer, or the exception that says why there is none. */
    String tokenFrom(String client, int status, String body) {
        if (status == 429 || status == 503) {
            throw notIssued(client, "the platform answered HTTP " + status);
        }
        if (status == 408 || status >= 500) {
            throw unavailable(client, "the platform answered HTTP " + status);
        }
        CredentialEnvelope envelope = parse(client, status, body);
        if (Boolean.TRUE.equals(envelope.ok())) {
            String token = envelope.token();
            if (token == null || status / 100 != 2) {
                throw new PlatformAnswerException(client,
                        "the platform answered HTTP " + status + " with ok=true but no token");
            }
            return token;
        }
        if (envelope.ok() == null) {
            throw new PlatformAnswerException(client, "the platform answered HTTP " + status + " without an ok field");
        }
        if (envelope.code() != null && busyCodes.contains(envelope.code())) {
            throw notIssued(client, "the platform is busy (code " + envelope.code() + ")");
        }
        throw new CredentialsRejectedException(client,
                "the platform rejected the credentials (HTTP " + status + ", code " + envelope.code() + ")");
    }

    /** A failure after which the platform may still have issued a token: never repeated at once. */
    PlatformUnavailableException unavailable(String client, String why) {
        return new PlatformUnavailableException(client, why, retryAfter, false);
    }

    /** A failure that certainly issued nothing (no connection, or an answer saying busy): may be repeated. */
    /** The request left and no answer came back: a token may exist, or still be on its way. */
    PlatformUnavailableException answerLost(String client, String why) {
        return new PlatformUnavailableException(client, why, retryAfter, false, true);
    }

    PlatformUnavailableException notIssued(String client, String why) {
        return new PlatformUnavailableException(client, why, retryAfter, true);
    }

    private CredentialEnvelope parse(String client, int status, String body) {
        try {
            CredentialEnvelope envelope = body == null ? null : json.readValue(body, CredentialEnvelope.class);
            if (envelope != null) {
                return envelope;
            }
        } catch (JsonProcessingException notJson) {
            // Classified below: the cause's message may quote the body, which is not ours to log.
        }
        if (status == 401 || status == 403) {
            throw new CredentialsRejectedException(client, "the platform refused the credentials (HTTP " + status + ")");
        }
        throw new PlatformAnswerException(client,
                "the platform answered HTTP " + status + " with a body that is not its JSON envelope");
    }
}
