package io.tokenbroker.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code broker.callers.CALLER.platform-paths}: a platform path such as
 * {@code /openapi/orders/*} where {@code *} stands for exactly one segment and {@code **} for any
 * number of segments (none included). Literal segments are compared with the decoded segments of the
 * requested path, as the platform will read them.
 */
public final class PlatformPathPattern {

    private static final String ONE = "*";
    private static final String ANY = "**";

    private final String text;
    private final String[] segments;

    private PlatformPathPattern(String text) {
        this.text = text;
        this.segments = text.equals("/") ? new String[0] : text.substring(1).split("/", -1);
    }

    /**
     * The pattern {@code text} stands for.
     *
     * @throws IllegalArgumentException if it is malformed (see {@link #problem})
     */
    public static PlatformPathPattern of(String text) {
        problem(text).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return new PlatformPathPattern(text);
    }

    /** What is wrong with {@code text} as a pattern, if anything. */
    static Optional<String> problem(String text) {
        if (!text.startsWith("/")) {
            return Optional.of("'" + text + "' must start with /");
        }
        if (text.equals("/")) {
            return Optional.empty();
        }
        for (String segment : text.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.of("'" + text + "' has an empty, . or .. segment");
            }
            if (segment.contains("*") && !segment.equals(ONE) && !segment.equals(ANY)) {
                return Optional.of("'" + text + "': * and ** stand for whole segments only");
            }
        }
        return Optional.empty();
    }

    /** Whether a path of these (decoded) segments matches. */
    public boolean matches(List<String> path) {
        // matched[i][j]: the first i pattern segments match the first j path segments.
        int patternLength = segments.length;
        int pathLength = path.size();
        boolean[] previous = new boolean[pathLength + 1];
        previous[0] = true;
        for (int i = 1; i <= patternLength; i++) {
            String segment = segments[i - 1];
            boolean[] current = new boolean[pathLength + 1];
            current[0] = segment.equals(ANY) && previous[0];
            for (int j = 1; j <= pathLength; j++) {
                current[j] = switch (segment) {
                    case ANY -> previous[j] || current[j - 1];
                    case ONE -> previous[j - 1];
                    default -> previous[j - 1] && segment.equals(path.get(j - 1));
                };
            }
            previous = current;
        }
        return previous[pathLength];
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PlatformPathPattern pattern && Arrays.equals(segments, pattern.segments);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(segments);
    }
}
