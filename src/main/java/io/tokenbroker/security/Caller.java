package io.tokenbroker.security;

import io.tokenbroker.config.PlatformPathPattern;
import java.util.List;
import java.util.Set;

/**
 * An authenticated internal service and what it was granted.
 *
 * @param name the caller's name in {@code broker.callers.NAME.*}
 * @param clients the client names it may use; {@code *} grants all
 * @param tokenAccess whether it may read the token itself, not only make business calls with it
 * @param platformPaths the platform paths it may call through {@code /platform/CLIENT/...}
 * @param admin whether it may see every client's token state and rotate tokens (management port)
 */
public record Caller(String name, Set<String> clients, boolean tokenAccess, List<PlatformPathPattern> platformPaths,
        boolean admin) {

    private static final List<PlatformPathPattern> EVERY_PATH = List.of(PlatformPathPattern.of("/**"));

    public Caller {
        clients = Set.copyOf(clients);
        platformPaths = List.copyOf(platformPaths);
    }

    /** A caller that may read the tokens of {@code clients} and call any platform path with them. */
    public Caller(String name, Set<String> clients) {
        this(name, clients, true, EVERY_PATH, false);
    }

    /** Whether this caller was granted {@code client}, for its token or for business calls. */
    public boolean mayUse(String client) {
        return clients.contains("*") || clients.contains(client);
    }

    /** Whether this caller may read {@code client}'s token itself. */
    public boolean mayRead(String client) {
        return tokenAccess && mayUse(client);
    }

    /** Whether this caller may call the platform path of these (decoded) segments. */
    public boolean mayCall(List<String> pathSegments) {
        return grantFor(pathSegments) != null;
    }

    /**
     * The first of its platform-path patterns that lets this caller call the path of these (decoded)
     * segments, or {@code null}: what audit summaries count calls by, so that paths with ids in them
     * make one kind per grant, not one per id.
     */
    public PlatformPathPattern grantFor(List<String> pathSegments) {
        for (PlatformPathPattern pattern : platformPaths) {
            if (pattern.matches(pathSegments)) {
                return pattern;
            }
        }
        return null;
    }
}
