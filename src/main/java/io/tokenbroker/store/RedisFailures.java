package io.tokenbroker.store;

import io.tokenbroker.token.StoreUnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Says where Redis is and what went wrong with it in words an operator can act on: the configured
 * address (without credentials) and the root cause as the server or the connection put it
 * ({@code WRONGPASS invalid username-password pair}, {@code Connection refused: /10.0.0.7:6379}), so a
 * wrong host, port or password is obvious from one log line. Credentials in the text are masked and
 * control characters dropped.
 */
final class RedisFailures {

    private static final Pattern CREDENTIALS = Pattern.compile("(?i)(rediss?://)[^@/\\s]*@");
    private static final int LONGEST_REASON = 300;

    private final String where;

    RedisFailures(Optional<String> hosts) {
        this.where = "Redis at " + hosts.map(RedisFailures::withoutCredentials).orElse("(quarkus.redis.hosts unset)");
    }

    /** The configured addresses, each without its user and password. */
    static String withoutCredentials(String hosts) {
        return List.of(hosts.split(",")).stream().map(String::strip)
                .map(host -> CREDENTIALS.matcher(host).replaceAll("$1***@")).collect(Collectors.joining(", "));
    }

    /** The outage of {@code operation} caused by {@code failure}. */
    StoreUnavailableException unavailable(String operation, Throwable failure) {
        return new StoreUnavailableException(where, operation, reason(failure), failure);
    }

    /** The deepest cause's class and message: what the server answered, or what the connection said. */
    static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        message = CREDENTIALS.matcher(message).replaceAll("$1***@").replaceAll("\\p{Cntrl}", " ").strip();
        if (message.length() > LONGEST_REASON) {
            message = message.substring(0, LONGEST_REASON) + "…";
        }
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
