package io.tokenbroker.config;

/**
 * Kubernetes ServiceAccount names as {@code broker.callers.CALLER.service-account} holds them
 * ({@code NAMESPACE/NAME}) and as ServiceAccount tokens carry them in {@code sub}.
 */
public final class ServiceAccounts {

    /** A namespace (DNS-1123 label), a slash, and a ServiceAccount name (DNS-1123 subdomain). */
    public static final String PATTERN = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?";

    private static final String SUBJECT_PREFIX = "system:serviceaccount:";

    private ServiceAccounts() {
    }

    /** The token subject of {@code NAMESPACE/NAME}: {@code system:serviceaccount:NAMESPACE:NAME}. */
    public static String subject(String namespaceAndName) {
        return SUBJECT_PREFIX + namespaceAndName.replace('/', ':');
    }
}
