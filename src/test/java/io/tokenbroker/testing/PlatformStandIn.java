package io.tokenbroker.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the platform's credential endpoint, written from its document: {@code POST
 * /openapi/auth/credential} with {@code clientId}, {@code secret} and {@code userType=2} as query
 * parameters and an empty body, answering the JSON envelope. A new token invalidates the account's
 * previous one. Tests script failures per {@code clientId}.
 */
public final class PlatformStandIn implements AutoCloseable {

    /** What the next call of an account gets instead of a token. */
    public enum Failure {
        /** HTTP 500 with a JSON envelope. */
        HTTP_500,
        /** HTTP 503 with a JSON envelope: the platform says it did not take the request. */
        HTTP_503,
        /** HTTP 429 with a JSON envelope: too many requests. */
        HTTP_429,
        /** HTTP 502 with an HTML page, as a proxy in front of the platform answers. */
        HTML_PAGE,
        /** HTTP 200, {@code ok=false} with a busy code. */
        BUSY,
        /** HTTP 200, {@code ok=true} but no {@code data}. */
        NO_DATA,
        /** Answers only after {@code slow} more than any time-out the tests configure. */
        HANG
    }

    public static final String PATH = "/openapi/auth/credential";

    private final HttpServer server;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, String> currentTokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Queue<Failure>> scripted = new ConcurrentHashMap<>();
    private final Map<String, Failure> permanent = new ConcurrentHashMap<>();
    private final AtomicInteger protocolViolations = new AtomicInteger();
    private final Map<String, java.time.Instant> issued = new ConcurrentHashMap<>();
    private final Map<String, java.time.Instant> invalidated = new ConcurrentHashMap<>();
    private final Map<String, java.util.List<String>> issuedByAccount = new ConcurrentHashMap<>();
    private volatile Duration latency = Duration.ZERO;

    private PlatformStandIn(HttpServer server) {
        this.server = server;
    }

    /** Starts the stand-in on a free port of 127.0.0.1. */
    public static PlatformStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
            PlatformStandIn standIn = new PlatformStandIn(server);
            server.createContext("/", standIn::handle);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The platform's base URL ({@code broker.clients.NAME.base-url}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers an application the platform knows. */
    public PlatformStandIn account(String clientId, String secret) {
        secrets.put(clientId, secret);
        return this;
    }

    /** The next calls of {@code clientId} fail like this, in order, then succeed again. */
    public void failNext(String clientId, Failure... failures) {
        scripted.computeIfAbsent(clientId, id -> new ConcurrentLinkedQueue<>()).addAll(java.util.List.of(failures));
    }

    /** Every call of {@code clientId} fails like this until {@link #recover(String)}. */
    public void failAlways(String clientId, Failure failure) {
        permanent.put(clientId, failure);
    }

    public void recover(String clientId) {
        permanent.remove(clientId);
        scripted.remove(clientId);
    }

    /** Time every answer takes. */
    public void latency(Duration latency) {
        this.latency = latency;
    }

    /** Calls received for {@code clientId}, successful or not. */
    public int calls(String clientId) {
        AtomicInteger count = calls.get(clientId);
        return count == null ? 0 : count.get();
    }

    /** Whether {@code token} is the one the platform accepts now for its account. */
    public boolean isValid(String token) {
        return currentTokens.containsValue(token);
    }

    /** Every token issued so far, valid or not. */
    public Set<String> issuedTokens() {
        return Set.copyOf(issued.keySet());
    }

    /** When a newer token of the same account made {@code token} invalid, or {@code null} if none did. */
    public java.time.Instant invalidatedAt(String token) {
        return invalidated.get(token);
    }

    /** The tokens issued to {@code clientId}, oldest first. */
    public java.util.List<String> issuedTo(String clientId) {
        return java.util.List.copyOf(issuedByAccount.getOrDefault(clientId, java.util.List.of()));
    }

    /** When the platform issued {@code token}, or {@code null} if it never did. */
    public java.time.Instant issuedAt(String token) {
        return issued.get(token);
    }

    /** Requests that broke the documented protocol (wrong method, JSON body, missing parameters). */
    public int protocolViolations() {
        return protocolViolations.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!"POST".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())
                    || body.length > 0 || !query.containsKey("clientId") || !query.containsKey("secret")
                    || !"2".equals(query.get("userType"))) {
                protocolViolations.incrementAndGet();
                send(exchange, 400, envelope(400, "bad request", null, false));
                return;
            }
            String clientId = query.get("clientId");
            calls.computeIfAbsent(clientId, id -> new AtomicInteger()).incrementAndGet();
            pause(latency);
            Failure failure = nextFailure(clientId);
            if (failure != null) {
                fail(exchange, failure);
            } else if (!query.get("secret").equals(secrets.get(clientId))) {
                send(exchange, 200, envelope(401, "clientId or secret is invalid", null, false));
            } else {
                String token = HexFormat.of().formatHex(bytes(24));
                java.time.Instant now = java.time.Instant.now();
                issued.put(token, now);
                String previous = currentTokens.put(clientId, token);
                if (previous != null) {
                    invalidated.put(previous, now);
                }
                issuedByAccount.computeIfAbsent(clientId, id -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(token);
                send(exchange, 200, envelope(200, "success", "\"" + token + "\"", true));
            }
        }
    }

    private Failure nextFailure(String clientId) {
        Queue<Failure> queue = scripted.get(clientId);
        Failure next = queue == null ? null : queue.poll();
        return next != null ? next : permanent.get(clientId);
    }

    private void fail(HttpExchange exchange, Failure failure) throws IOException {
        switch (failure) {
            case HTTP_500 -> send(exchange, 500, envelope(500, "internal error", null, false));
            case HTTP_503 -> send(exchange, 503, envelope(503, "service unavailable", null, false));
            case HTTP_429 -> send(exchange, 429, envelope(429, "too many requests", null, false));
            case HTML_PAGE -> {
                exchange.getResponseHeaders().set("Content-Type", "text/html");
                byte[] page = "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(502, page.length);
                exchange.getResponseBody().write(page);
            }
            case BUSY -> send(exchange, 200, envelope(503, "system busy", null, false));
            case NO_DATA -> send(exchange, 200, envelope(200, "success", null, true));
            case HANG -> {
                pause(Duration.ofSeconds(5));
                send(exchange, 500, envelope(500, "too late", null, false));
            }
        }
    }

    private static String envelope(int code, String message, String data, boolean ok) {
        return "{\"code\":" + code + ",\"message\":\"" + message + "\",\"trackId\":\"t-" + System.nanoTime()
                + "\",\"data\":" + data + ",\"extr\":null,\"timestamp\":" + System.currentTimeMillis()
                + ",\"_status\":\"" + (ok ? "SUCCESS" : "FAIL") + "\",\"ok\":" + ok + "}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void pause(Duration duration) {
        if (!duration.isZero()) {
            try {
                Thread.sleep(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
