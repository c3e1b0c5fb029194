package io.tokenbroker.token;

import io.tokenbroker.platform.PlatformException;
import java.util.concurrent.CompletionException;

/** Describes a failure for a log line without quoting text the broker did not write itself. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        boolean ours = cause instanceof PlatformException || cause instanceof TokenUnavailableException
                || cause instanceof RefreshTooSoonException || cause instanceof StoreUnavailableException;
        return ours ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
