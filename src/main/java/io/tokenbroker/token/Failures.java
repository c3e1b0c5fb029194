package io.tokenbroker.token;

import io.tokenbroker.platform.CallWithdrawnException;
import io.tokenbroker.platform.CredentialsRejectedException;
import io.tokenbroker.platform.PlatformAnswerException;
import io.tokenbroker.platform.PlatformException;
import io.tokenbroker.platform.PlatformUnavailableException;
import java.util.concurrent.CompletionException;

/** Describes a failure for a log line without quoting text the broker did not write itself. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable failure) {
        Throwable cause = unwrapped(failure);
        boolean ours = cause instanceof PlatformException || cause instanceof TokenUnavailableException
                || cause instanceof RefreshTooSoonException || cause instanceof StoreUnavailableException;
        return ours ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /**
     * The kind of a failed acquisition, for operators: {@code platform-unavailable},
     * {@code credentials-rejected}, {@code bad-answer}, {@code store-unavailable},
     * {@code token-unavailable} or {@code internal}; {@code null} for outcomes that are no failure (a
     * refresh refused by the floor, a call withdrawn because the lease was lost).
     */
    static String kind(Throwable failure) {
        Throwable cause = unwrapped(failure);
        if (cause instanceof RefreshTooSoonException || cause instanceof CallWithdrawnException) {
            return null;
        }
        if (cause instanceof PlatformUnavailableException) {
            return "platform-unavailable";
        }
        if (cause instanceof CredentialsRejectedException) {
            return "credentials-rejected";
        }
        if (cause instanceof PlatformAnswerException) {
            return "bad-answer";
        }
        if (cause instanceof StoreUnavailableException) {
            return "store-unavailable";
        }
        return cause instanceof TokenUnavailableException ? "token-unavailable" : "internal";
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
