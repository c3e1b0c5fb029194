package io.tokenbroker.config;

/** The syntax of a client name, shared by the configuration and the {@code ?client=} parameter. */
public final class ClientNames {

    /** Letters, digits, dot, dash and underscore; 1 to 64 characters, starting with a letter or digit. */
    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private static final java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(PATTERN);

    private ClientNames() {
    }

    /** Whether {@code name} is a syntactically valid client name. */
    public static boolean isValid(String name) {
        return name != null && name.length() <= 64 && COMPILED.matcher(name).matches();
    }
}
