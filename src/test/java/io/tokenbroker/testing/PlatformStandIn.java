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
 * A stand-in for the platform, written from its document. Its credential endpoint: {@code POST
 * /openapi/auth/credential} with {@code clientId}, {@code secret} and {@code userType=2} as query
 * parameters and an empty body, answering the JSON envelope. A new token invalidates the account's
 * previous one. Tests script failures per {@code clientId}.
 *
 * <p>Every other path is a business API: it requires the headers {@code Access-Token} (the current
 * token of an account) and {@code Request-Id} (unique for every request, so a repeated or missing one
 * is a protocol violation, answered 400). Business APIs: {@code /openapi/echo/**} (describes the
 * request it received), {@code /openapi/download?size=N} (N bytes of {@link #downloadContent}),
 * {@code /openapi/fail} (HTTP 500), {@code /openapi/denied} (HTTP 401 whatever the token) and {@code /openapi/slow?ms=N} (answers after N ms). Every
 * business answer sets {@code Set-Cookie} and {@code X-Platform-Trace}. Every business call is
 * recorded ({@link #businessCalls()}), refused ones included.
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

    /** How the platform refuses a token that is not the current one of its account. */
    public enum Refusal {
        /** HTTP 401 with an envelope {@code code=401}. */
        HTTP_401,
        /** HTTP 200 with an envelope {@code ok=false, code=401}. */
        ENVELOPE_401,
        /** HTTP 200 with an envelope {@code ok=false, code=40001}. */
        ENVELOPE_40001
    }

    /** What the stand-in made of a business call. */
    public enum Verdict {
        /** The token and the Request-Id were good: the API answered. */
        ANSWERED,
        /** The Access-Token was missing or not the current token of an account. */
        TOKEN_REFUSED,
        /** The Request-Id was missing, repeated or given more than once (HTTP 400). */
        PROTOCOL_VIOLATION
    }

    /**
     * One business call as the platform received it.
     *
     * @param headers every header, names lower-cased, values in the order received
     * @param accessToken the single {@code Access-Token}, or {@code null} if none or several
     * @param requestId the single {@code Request-Id}, or {@code null} if none or several
     * @param account the {@code clientId} the token was issued to, or {@code null} if it never was
     */
    public record BusinessCall(java.time.Instant at, String method, String rawPath, String rawQuery,
            Map<String, java.util.List<String>> headers, long bodyLength, String bodySha256, String accessToken,
            String requestId, String account, Verdict verdict) {

        /** The values of header {@code name} (any case), or an empty list. */
        public java.util.List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), java.util.List.of());
        }
    }

    public static final String PATH = "/openapi/auth/credential";

    private final HttpServer server;
    private volatile boolean gzipWhenAsked;
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
    private final Map<String, String> accountOfToken = new ConcurrentHashMap<>();
    private final java.util.List<BusinessCall> businessCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<String> seenRequestIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requestIdViolations = new AtomicInteger();
    private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
    private final Map<String, Refusal> refusingEveryToken = new ConcurrentHashMap<>();
    private volatile Refusal defaultRefusal = Refusal.HTTP_401;
    private final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();

    private PlatformStandIn(HttpServer server) {
        this.server = server;
    }

    /** Starts the stand-in on a free port of 127.0.0.1. */
    public static PlatformStandIn start() {
        return start("127.0.0.1");
    }

    /** A stand-in listening on {@code address} (a {@link TestNetwork}'s platform address, say). */
    public static PlatformStandIn start(String address) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 200);
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
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
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

    /**
     * Whether JSON answers, refusals included, are gzip-ed for requests that accept it, as a gateway in
     * front of the platform does for Go, OkHttp, Python and Node callers, which accept gzip by default.
     */
    public void gzipWhenAsked(boolean gzip) {
        gzipWhenAsked = gzip;
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

    /** The token {@code clientId} holds now, or {@code null} if none (never issued, or revoked). */
    public String currentToken(String clientId) {
        return currentTokens.get(clientId);
    }

    /**
     * Invalidates every account's current token: business calls with it are refused in {@code style}
     * from now on. The next credential call of an account issues a new token, as always.
     */
    public void revokeAllTokens(Refusal style) {
        defaultRefusal = style;
        secrets.keySet().forEach(clientId -> refusals.put(clientId, style));
        revoke(Set.copyOf(currentTokens.keySet()));
    }

    /** {@link #revokeAllTokens} for these accounts only: the tokens of the others stay valid. */
    public void revokeTokens(Refusal style, String... clientIds) {
        for (String clientId : clientIds) {
            refusals.put(clientId, style);
        }
        revoke(Set.of(clientIds));
    }

    private void revoke(Set<String> clientIds) {
        java.time.Instant now = java.time.Instant.now();
        for (String clientId : clientIds) {
            String token = currentTokens.remove(clientId);
            if (token != null) {
                invalidated.putIfAbsent(token, now);
            }
        }
    }

    /** Business calls of {@code clientId} are refused in {@code style} whatever their token, until {@link #acceptTokens}. */
    public void refuseEveryToken(String clientId, Refusal style) {
        refusingEveryToken.put(clientId, style);
    }

    /** Ends {@link #refuseEveryToken} for {@code clientId}. */
    public void acceptTokens(String clientId) {
        refusingEveryToken.remove(clientId);
    }

    /** Every business call received so far, in the order received. */
    public java.util.List<BusinessCall> businessCalls() {
        return java.util.List.copyOf(businessCalls);
    }

    /** The business calls whose raw path starts with {@code rawPathPrefix}, in the order received. */
    public java.util.List<BusinessCall> businessCalls(String rawPathPrefix) {
        return businessCalls.stream().filter(call -> call.rawPath().startsWith(rawPathPrefix)).toList();
    }

    /**
     * One request to the credential endpoint as the platform received it, well-formed or not.
     *
     * @param at when it arrived, before any {@link #latency(Duration)} or scripted failure
     * @param query its query parameters, decoded as the platform decodes them (of a name sent twice, the last)
     * @param rawQuery its query as sent, undecoded
     */
    public record CredentialRequest(java.time.Instant at, String method, Map<String, String> query, String rawQuery,
            long bodyLength) {
    }

    private final java.util.List<CredentialRequest> credentialRequests =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Every request to the credential endpoint received so far, in the order received. */
    public java.util.List<CredentialRequest> credentialRequests() {
        return java.util.List.copyOf(credentialRequests);
    }

    /** The credential requests whose {@code clientId} parameter is {@code clientId}, in the order received. */
    public java.util.List<CredentialRequest> credentialRequests(String clientId) {
        return credentialRequests.stream().filter(request -> clientId.equals(request.query().get("clientId"))).toList();
    }

    private void recordCredentialRequest(HttpExchange exchange, Map<String, String> query, byte[] body) {
        credentialRequests.add(new CredentialRequest(java.time.Instant.now(), exchange.getRequestMethod(),
                Map.copyOf(query), exchange.getRequestURI().getRawQuery(), body.length));
    }

    /** Every {@code Request-Id} any business call carried. */
    public Set<String> seenRequestIds() {
        return Set.copyOf(seenRequestIds);
    }

    /** Business calls without exactly one {@code Request-Id}, or with one seen before (also in {@link #protocolViolations()}). */
    public int requestIdViolations() {
        return requestIdViolations.get();
    }

    /** The body of {@code /openapi/download?size=N}: a fixed pattern that no offset error keeps intact. */
    public static byte[] downloadContent(int size) {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31 + i / 1021);
        }
        return content;
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Requests that broke the documented protocol (wrong method, JSON body, missing parameters, a bad Request-Id). */
    public int protocolViolations() {
        return protocolViolations.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (PATH.equals(exchange.getRequestURI().getPath())) {
            handleCredential(exchange);
        } else {
            try (exchange) {
                handleBusiness(exchange);
            } catch (IOException callerGone) {
                // the broker stopped waiting (a time-out): nothing to answer
            }
        }
    }

    private void handleCredential(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            recordCredentialRequest(exchange, query, body);
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
                accountOfToken.put(token, clientId);
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

    private void handleBusiness(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, java.util.List<String>> headers = new java.util.TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers
                .computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), n -> new java.util.ArrayList<>()).addAll(values));
        String token = single(headers.get("access-token"));
        String requestId = single(headers.get("request-id"));
        String account = token == null ? null : accountOfToken.get(token);
        Verdict verdict;
        if (requestId == null || requestId.isBlank() || !seenRequestIds.add(requestId)) {
            verdict = Verdict.PROTOCOL_VIOLATION;
            requestIdViolations.incrementAndGet();
            protocolViolations.incrementAndGet();
        } else if (account == null || !token.equals(currentTokens.get(account))
                || refusingEveryToken.containsKey(account)) {
            verdict = Verdict.TOKEN_REFUSED;
        } else {
            verdict = Verdict.ANSWERED;
        }
        java.net.URI uri = exchange.getRequestURI();
        businessCalls.add(new BusinessCall(java.time.Instant.now(), exchange.getRequestMethod(), uri.getRawPath(),
                uri.getRawQuery(), java.util.Collections.unmodifiableMap(headers), body.length, sha256Hex(body), token,
                requestId, account, verdict));
        String trackId = "t-" + System.nanoTime();
        exchange.getResponseHeaders().add("Set-Cookie", "platform-session=" + trackId + "; Path=/; HttpOnly");
        exchange.getResponseHeaders().set("X-Platform-Trace", trackId);
        switch (verdict) {
            case PROTOCOL_VIOLATION -> send(exchange, 400, envelope(400, "Request-Id missing or repeated", null, false));
            case TOKEN_REFUSED -> refuse(exchange, refusalFor(account));
            case ANSWERED -> answer(exchange, uri, headers, body);
        }
    }

    private Refusal refusalFor(String account) {
        Refusal always = account == null ? null : refusingEveryToken.get(account);
        if (always != null) {
            return always;
        }
        return account == null ? defaultRefusal : refusals.getOrDefault(account, defaultRefusal);
    }

    private static String single(java.util.List<String> values) {
        return values != null && values.size() == 1 ? values.get(0) : null;
    }

    private void refuse(HttpExchange exchange, Refusal style) throws IOException {
        switch (style) {
            case HTTP_401 -> send(exchange, 401, envelope(401, "access token invalid", null, false));
            case ENVELOPE_401 -> send(exchange, 200, envelope(401, "access token invalid", null, false));
            case ENVELOPE_40001 -> send(exchange, 200, envelope(40001, "access token expired", null, false));
        }
    }

    private void answer(HttpExchange exchange, java.net.URI uri, Map<String, java.util.List<String>> headers,
            byte[] body) throws IOException {
        String path = uri.getRawPath();
        if (path.startsWith("/openapi/echo/") || path.equals("/openapi/echo")) {
            send(exchange, 200, envelope(200, "success", echo(exchange, uri, headers, body), true));
        } else if (path.equals("/openapi/download")) {
            download(exchange, Integer.parseInt(query(uri.getRawQuery()).getOrDefault("size", "0")));
        } else if (path.equals("/openapi/denied")) {
            // HTTP 401 for a business reason (the account may not use this API), whatever the token.
            send(exchange, 401, envelope(401, "no permission for this API", null, false));
        } else if (path.equals("/openapi/fail")) {
            send(exchange, 500, envelope(500, "internal error", null, false));
        } else if (path.equals("/openapi/slow")) {
            pause(Duration.ofMillis(Long.parseLong(query(uri.getRawQuery()).getOrDefault("ms", "0"))));
            send(exchange, 200, envelope(200, "success", echo(exchange, uri, headers, body), true));
        } else {
            send(exchange, 404, envelope(404, "no such API", null, false));
        }
    }

    private String echo(HttpExchange exchange, java.net.URI uri, Map<String, java.util.List<String>> headers,
            byte[] body) throws IOException {
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("method", exchange.getRequestMethod());
        data.put("path", uri.getRawPath());
        data.put("query", uri.getRawQuery());
        data.put("bodySha256", sha256Hex(body));
        data.put("bodyLength", body.length);
        data.put("headers", headers);
        return json.writeValueAsString(data);
    }

    private static void download(HttpExchange exchange, int size) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        byte[] content = downloadContent(size);
        exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int offset = 0; offset < size; offset += 64 * 1024) {
                out.write(content, offset, Math.min(64 * 1024, size - offset));
            }
        }
    }

    private static String envelope(int code, String message, String data, boolean ok) {
        return "{\"code\":" + code + ",\"message\":\"" + message + "\",\"trackId\":\"t-" + System.nanoTime()
                + "\",\"data\":" + data + ",\"extr\":null,\"timestamp\":" + System.currentTimeMillis()
                + ",\"_status\":\"" + (ok ? "SUCCESS" : "FAIL") + "\",\"ok\":" + ok + "}";
    }

    private void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        String accepted = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        if (gzipWhenAsked && accepted != null && accepted.toLowerCase(java.util.Locale.ROOT).contains("gzip")) {
            bytes = gzip(bytes);
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
            zip.write(plain);
        }
        return out.toByteArray();
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
