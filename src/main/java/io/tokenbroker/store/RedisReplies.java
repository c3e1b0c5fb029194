package io.tokenbroker.store;

/** Recognises Redis error replies in the exceptions the Redis client throws. */
final class RedisReplies {

    private RedisReplies() {
    }

    /** Whether Redis answered {@code WRONGTYPE}: the key holds another type than the command needs. */
    static boolean isWrongType(Throwable failure) {
        return hasReply(failure, "WRONGTYPE");
    }

    /** Whether Redis answered {@code NOSCRIPT}: it does not know a script by that SHA-1. */
    static boolean isNoScript(Throwable failure) {
        return hasReply(failure, "NOSCRIPT");
    }

    private static boolean hasReply(Throwable failure, String code) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(code)) {
                return true;
            }
        }
        return false;
    }
}
