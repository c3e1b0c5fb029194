package io.tokenbroker.api;

import io.tokenbroker.platform.CredentialsRejectedException;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.platform.PlatformUnavailableException;
import io.tokenbroker.security.AccessDeniedException;
import io.tokenbroker.security.InvalidClientNameException;
import io.tokenbroker.security.NotAuthenticatedException;
import io.tokenbroker.token.RefreshTooSoonException;
import io.tokenbroker.token.TokenUnavailableException;
import io.tokenbroker.token.UnknownClientException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A failure as the broker answers it, whichever endpoint met it: the one place where the broker's own
 * exceptions become a status, a problem type and a detail the caller can act on. The detail is the
 * broker's own message, never another component's, a secret or a token.
 *
 * @param retryAfter when to try again ({@code Retry-After}), or null
 */
public record Problem(int status, String type, String title, String detail, Duration retryAfter) {

    /** Prefix of every problem {@code type}. */
    public static final String TYPE_PREFIX = "urn:token-broker:problem:";

    public Problem(int status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    /** The answer to {@code failure}, or null when it is none of the broker's own (a bug: 500). */
    public static Problem of(Throwable failure) {
        if (failure instanceof NotAuthenticatedException e) {
            return new Problem(401, "unauthenticated", "Unauthorized", e.getMessage());
        }
        if (failure instanceof AccessDeniedException e) {
            return new Problem(403, e.refusal().problemType(), "Forbidden", e.getMessage());
        }
        if (failure instanceof UnknownClientException e) {
            return new Problem(404, "unknown-client", "Unknown client", e.getMessage());
        }
        if (failure instanceof InvalidClientNameException e) {
            return new Problem(400, "invalid-client-name", "Invalid client name", e.getMessage());
        }
        if (failure instanceof InvalidRequestException e) {
            return new Problem(400, "invalid-request", "Invalid request", e.getMessage());
        }
        if (failure instanceof RefreshTooSoonException e) {
            return new Problem(429, "refresh-too-soon", "Too many forced refreshes", e.getMessage(), e.retryAfter());
        }
        if (failure instanceof PlatformUnavailableException e) {
            return new Problem(503, "platform-unavailable", "The platform is unavailable", e.getMessage(),
                    e.retryAfter());
        }
        if (failure instanceof CredentialsRejectedException e) {
            return new Problem(502, "credentials-rejected", "The platform rejected the credentials", e.getMessage());
        }
        if (failure instanceof PlatformException e) {
            return new Problem(502, "platform-bad-answer", "The platform answered nonsense", e.getMessage());
        }
        if (failure instanceof TokenUnavailableException e) {
            return new Problem(503, "token-unavailable", "No token is available", e.getMessage(), e.retryAfter());
        }
        return null;
    }

    /**
     * {@link #of}, or a 500 for a failure that is none of the broker's own: a bug, logged at ERROR with
     * its stack trace, never described to the caller.
     */
    public static Problem orInternalError(Throwable failure, Logger log) {
        Problem problem = of(failure);
        if (problem == null) {
            log.error("Unexpected failure", failure);
            return new Problem(500, "internal-error", "Internal error", "the broker failed unexpectedly");
        }
        return problem;
    }

    /** The full problem {@code type} URN. */
    public String typeUri() {
        return TYPE_PREFIX + type;
    }

    /** Whole seconds for {@code Retry-After}, at least 1; only meaningful when {@link #retryAfter} is set. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    /** The body, as sent. */
    public ProblemDetail body() {
        return new ProblemDetail(typeUri(), title, status, detail);
    }
}
