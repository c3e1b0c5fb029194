package io.tokenbroker.config;

import io.quarkus.runtime.LaunchMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The placeholders of the Kubernetes overlays ({@code k8s/overlays}), which a production start refuses. */
final class ExampleValues {

    /** Reserved never to resolve (RFC 6761): every example host of the overlays is under it. */
    static final String EXAMPLE_DOMAIN = "example.invalid";

    /** The documentation ranges (RFC 5737) the overlays' example address blocks are taken from. */
    private static final List<String> DOCUMENTATION_RANGES = List.of("192.0.2.", "198.51.100.", "203.0.113.");

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ExampleValues() {
    }

    /** The {@code broker.*} URLs that still hold an example, one line each; none in dev mode and tests. */
    static List<String> problems(BrokerConfig config, LaunchMode mode) {
        List<String> problems = new ArrayList<>();
        if (mode.isDevOrTest()) {
            return problems;
        }
        config.clients().forEach((name, client) -> {
            check("broker.clients." + name + ".base-url", client.baseUrl().getHost(), problems);
            client.configuredApiBaseUrl().ifPresent(url ->
                    check("broker.clients." + name + ".api-base-url", url.getHost(), problems));
        });
        check("broker.workload-identity.issuer", hostOf(config.workloadIdentity().issuer()), problems);
        check("broker.workload-identity.jwks-url", config.workloadIdentity().jwksUrl().getHost(), problems);
        return problems;
    }

    /** {@code quarkus.redis.hosts} (comma-separated URIs) if one of them is an example; none in dev mode and tests. */
    static List<String> inRedisHosts(Optional<String> hosts, LaunchMode mode) {
        List<String> problems = new ArrayList<>();
        if (!mode.isDevOrTest() && hosts.stream().flatMap(list -> Stream.of(list.split(",")))
                .map(ExampleValues::hostOf).anyMatch(ExampleValues::isExample)) {
            problems.add(problem("quarkus.redis.hosts"));
        }
        return problems;
    }

    /** Whether {@code host} is an example host or address of the overlays; {@code null} is none. */
    static boolean isExample(String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return name.equals(EXAMPLE_DOMAIN) || name.endsWith("." + EXAMPLE_DOMAIN)
                || IPV4.matcher(name).matches() && DOCUMENTATION_RANGES.stream().anyMatch(name::startsWith);
    }

    private static void check(String property, String host, List<String> problems) {
        if (isExample(host)) {
            problems.add(problem(property));
        }
    }

    /** Names the property, never its value: a Redis URI may carry a password. */
    private static String problem(String property) {
        return property + " is an example value of the Kubernetes overlays (a host under " + EXAMPLE_DOMAIN
                + " or a documentation address, RFC 5737): set your own";
    }

    private static String hostOf(String uri) {
        try {
            return URI.create(uri.strip()).getHost();
        } catch (IllegalArgumentException notAUri) {
            return null;
        }
    }
}
