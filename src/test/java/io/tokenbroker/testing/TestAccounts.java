package io.tokenbroker.testing;

import io.tokenbroker.security.CallerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The clients, platform accounts and callers every test broker is configured with. Each scenario has
 * a client of its own, so tests never depend on which token another test left in memory.
 */
public final class TestAccounts {

    /** Caller allowed every client. */
    public static final String ALICE_KEY = "alice-key-0b6e29";
    /** Caller allowed only client {@code other}. */
    public static final String BOB_KEY = "bob-key-91d4c7";

    /** Caller for business calls through the broker ({@code /platform/…}): every client, every path. */
    public static final String PAT_KEY = "pat-key-3c81a5";
    /** Caller allowed only client {@code proxy} and only platform paths {@code /openapi/echo/*} (one segment). */
    public static final String DAVE_KEY = "dave-key-7a20f3";
    /** Caller allowed only client {@code proxy}, through the broker only ({@code token-access=false}). */
    public static final String ERIN_KEY = "erin-key-e5519b";
    /** Operator ({@code admin=true}) and nothing else: every client's token state and rotation, on the management port. */
    public static final String OLGA_KEY = "olga-key-4d8e1b";
    /** A client only the operators' tests rotate. */
    public static final String ADMIN_ROTATED = "admin-rotated";
    /** A client only the dev page's test refreshes. */
    public static final String DEV_PAGE = "dev-page";
    /** Like {@link #UNREACHABLE}, for the operators' tests alone, so other tests' counts stay theirs. */
    public static final String ADMIN_UNREACHABLE = "admin-unreachable";

    /**
     * Clients for business calls, one per scenario that changes the platform's view of its token.
     * All but {@link #PROXY_DEFAULT_CODES} treat envelope codes 401 and 40001 as a refused token.
     */
    public static final String PROXY = "proxy";
    public static final String PROXY_HTTP_401 = "proxy-http401";
    public static final String PROXY_ENVELOPE_401 = "proxy-envelope401";
    public static final String PROXY_ENVELOPE_40001 = "proxy-envelope40001";
    public static final String PROXY_REFUSED_AGAIN = "proxy-refused-again";
    /** A business-call client with 4 places in flight, at most half of them for one caller. */
    public static final String PROXY_SHARED = "proxy-shared";
    /** A business-call client whose callers hammer a path the platform answers 401 for a business reason. */
    public static final String PROXY_DENIED = "proxy-denied";
    /** A business-call client whose platform gzips its answers for callers that accept it. */
    public static final String PROXY_GZIP = "proxy-gzip";
    /** A business-call client left with the default {@code token-rejected-codes} (401 only). */
    public static final String PROXY_DEFAULT_CODES = "proxy-default-codes";
    /** A business-call client whose {@code call-timeout} is {@link #PROXY_CALL_TIMEOUT}. */
    public static final String PROXY_SLOW = "proxy-slow";
    public static final java.time.Duration PROXY_CALL_TIMEOUT = java.time.Duration.ofSeconds(2);
    /** A business-call client that lets {@link #PROXY_BUSY_LIMIT} calls be in flight at once. */
    public static final String PROXY_BUSY = "proxy-busy";
    public static final int PROXY_BUSY_LIMIT = 2;
    /** Gets tokens from the platform, but its {@code api-base-url} has nothing listening. */
    public static final String PROXY_UNREACHABLE = "proxy-unreachable";
    /** Envelope codes that mean "token refused" for {@code default} and the proxy clients. */
    public static final String TOKEN_REJECTED_CODES = "401,40001";

    /** Client whose secret is read from {@link #ROTATING_SECRET_FILE}, as from a mounted Kubernetes Secret. */
    public static final String ROTATING = "rotating";
    public static final Path ROTATING_SECRET_FILE = Path.of("target", "test-secrets", "rotating-secret");

    /**
     * Client whose secret, {@link #QUERY_CHARACTERS_SECRET}, is made of characters a query string gives
     * a meaning to. Not one of {@link #CLIENTS}: no count of theirs changes.
     */
    public static final String QUERY_CHARACTERS = "query-characters";
    /** A plus, a percent sign before two hex digits, an ampersand, an equals sign and spaces. */
    public static final String QUERY_CHARACTERS_SECRET = "s3cret +%41 & x=y-5f0a17c2";

    /** Caller known by its ServiceAccount {@code payments/carol}, allowed only client {@code other}. */
    public static final String CAROL_NAMESPACE = "payments";
    public static final String CAROL_ACCOUNT = "carol";

    /** Healthy clients; each is its own platform account. */
    public static final List<String> CLIENTS = List.of("default", "other", "cold", "flaky-500", "flaky-html",
            "flaky-busy", "flaky-nodata", "flaky-hang", "down", "rejected", "logs", "healthy", "refresh-a", "refresh-b", "refresh-c", "refresh-d", "hangup",
            "flaky-503", "flaky-429", PROXY, PROXY_HTTP_401, PROXY_ENVELOPE_401, PROXY_ENVELOPE_40001,
            PROXY_REFUSED_AGAIN, PROXY_DEFAULT_CODES, PROXY_SLOW, PROXY_UNREACHABLE, PROXY_BUSY, ADMIN_ROTATED, DEV_PAGE, PROXY_GZIP, PROXY_DENIED,
            PROXY_SHARED);
    /** A client whose platform URL has nothing listening: every connection is refused. */
    public static final String UNREACHABLE = "unreachable";

    private TestAccounts() {
    }

    /** The platform {@code clientId} of broker client {@code client}. */
    public static String clientId(String client) {
        return "app-" + client;
    }

    /** The secret the broker is configured with for {@code client}. */
    public static String secret(String client) {
        return "s3cret-" + client + "-5f0a17c2";
    }

    /** Replaces the content of {@link #ROTATING_SECRET_FILE} the way a Secret volume update does: atomically. */
    public static void writeSecretFile(String secret) {
        try {
            Files.createDirectories(ROTATING_SECRET_FILE.getParent());
            Path next = Files.createTempFile(ROTATING_SECRET_FILE.getParent(), "next", ".tmp");
            Files.writeString(next, secret + "\n");
            Files.move(next, ROTATING_SECRET_FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers every account with the stand-in; {@code rejected} is registered with another secret. */
    public static void register(PlatformStandIn platform) {
        for (String client : CLIENTS) {
            platform.account(clientId(client), client.equals("rejected") ? "the-real-secret" : secret(client));
        }
        platform.account(clientId(ROTATING), secret(ROTATING));
        platform.account(clientId(QUERY_CHARACTERS), QUERY_CHARACTERS_SECRET);
    }

    /** Broker configuration for these clients and callers against {@code platform} (Redis is the caller's). */
    public static Map<String, String> brokerConfig(PlatformStandIn platform) {
        Map<String, String> config = new HashMap<>();
        for (String client : CLIENTS) {
            config.put("broker.clients." + client + ".base-url", platform.baseUrl());
            config.put("broker.clients." + client + ".client-id", clientId(client));
            config.put("broker.clients." + client + ".secret", secret(client));
        }
        writeSecretFile(secret(ROTATING));
        config.put("broker.clients." + ROTATING + ".base-url", platform.baseUrl());
        config.put("broker.clients." + ROTATING + ".client-id", clientId(ROTATING));
        config.put("broker.clients." + ROTATING + ".secret-file", ROTATING_SECRET_FILE.toAbsolutePath().toString());
        config.put("broker.clients." + QUERY_CHARACTERS + ".base-url", platform.baseUrl());
        config.put("broker.clients." + QUERY_CHARACTERS + ".client-id", clientId(QUERY_CHARACTERS));
        config.put("broker.clients." + QUERY_CHARACTERS + ".secret", QUERY_CHARACTERS_SECRET);
        for (String unreachable : List.of(UNREACHABLE, ADMIN_UNREACHABLE)) {
            config.put("broker.clients." + unreachable + ".base-url", "http://127.0.0.1:" + closedPort());
            config.put("broker.clients." + unreachable + ".client-id", clientId(unreachable));
            config.put("broker.clients." + unreachable + ".secret", secret(unreachable));
        }
        config.put("broker.callers.alice.key-sha256", CallerRegistry.sha256Hex(ALICE_KEY));
        config.put("broker.callers.alice.clients", "*");
        config.put("broker.callers.bob.key-sha256", CallerRegistry.sha256Hex(BOB_KEY));
        config.put("broker.callers.bob.clients", "other");
        config.put("broker.callers.olga.key-sha256", CallerRegistry.sha256Hex(OLGA_KEY));
        config.put("broker.callers.olga.admin", "true");
        proxyConfig(config);
        // Short time-outs so failure scenarios take milliseconds, not the production seconds.
        config.put("broker.platform.timeout", "500ms");
        config.put("broker.platform.max-retries", "2");
        config.put("broker.platform.retry-delay", "20ms");
        config.put("broker.platform.retry-max-delay", "100ms");
        config.put("broker.platform.retry-jitter", "10ms");
        config.put("broker.platform.breaker-volume", "4");
        config.put("broker.platform.breaker-delay", "30s");
        config.put("broker.lock.wait-timeout", "5s");
        // Logging as verbose as an operator could make it: secrets must stay out all the same.
        config.put("quarkus.rest-client.logging.scope", "request-response");
        config.put("quarkus.log.category.\"org.jboss.resteasy.reactive.client.logging\".level", "DEBUG");
        return config;
    }

    /** The business-call ({@code /platform/…}) settings of the clients and callers above. */
    private static void proxyConfig(Map<String, String> config) {
        for (String client : List.of("default", PROXY, PROXY_HTTP_401, PROXY_ENVELOPE_401, PROXY_ENVELOPE_40001,
                PROXY_REFUSED_AGAIN, PROXY_SLOW, PROXY_UNREACHABLE, PROXY_GZIP, PROXY_DENIED)) {
            config.put("broker.clients." + client + ".token-rejected-codes", TOKEN_REJECTED_CODES);
        }
        config.put("broker.clients." + PROXY_SLOW + ".call-timeout", PROXY_CALL_TIMEOUT.toSeconds() + "s");
        config.put("broker.clients." + PROXY_BUSY + ".max-calls-in-flight", Integer.toString(PROXY_BUSY_LIMIT));
        config.put("broker.clients." + PROXY_SHARED + ".max-calls-in-flight", "4");
        config.put("broker.clients." + PROXY_SHARED + ".max-caller-share", "0.5");
        config.put("broker.clients." + PROXY_UNREACHABLE + ".api-base-url", "http://127.0.0.1:" + closedPort());
        config.put("broker.callers.pat.key-sha256", CallerRegistry.sha256Hex(PAT_KEY));
        config.put("broker.callers.pat.clients", "*");
        config.put("broker.callers.dave.key-sha256", CallerRegistry.sha256Hex(DAVE_KEY));
        config.put("broker.callers.dave.clients", PROXY);
        config.put("broker.callers.dave.platform-paths", "/openapi/echo/*");
        config.put("broker.callers.erin.key-sha256", CallerRegistry.sha256Hex(ERIN_KEY));
        config.put("broker.callers.erin.clients", PROXY);
        config.put("broker.callers.erin.token-access", "false");
    }

    /** A port of 127.0.0.1 nothing listens on, as far as anyone can tell. */
    private static int closedPort() {
        return RedisServerProcess.freePort();
    }

    /** Caller carol, known by its ServiceAccount, verified against {@code issuer}. */
    public static Map<String, String> workloadIdentityConfig(ServiceAccountIssuer issuer) {
        return Map.of(
                "broker.callers.carol.service-account", CAROL_NAMESPACE + "/" + CAROL_ACCOUNT,
                "broker.callers.carol.clients", "other",
                "broker.workload-identity.jwks-url", issuer.jwksUrl(),
                "broker.workload-identity.jwks-min-refresh-interval", "1s");
    }
}
