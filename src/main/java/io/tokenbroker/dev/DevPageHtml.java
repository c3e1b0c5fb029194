package io.tokenbroker.dev;

/** The HTML around {@link DevHomePage}'s table: what a newcomer needs to try the broker in dev mode. */
final class DevPageHtml {

    private DevPageHtml() {
    }

    static String page(String clientRows, int managementPort) {
        String management = "http://localhost:" + managementPort;
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>token-broker (dev mode)</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:60em}td,th{padding:.3em .8em;text-align:left}
                code{background:#eee;padding:.1em .3em}</style></head><body>
                <h1>token-broker, dev mode</h1>
                <p>Caller <code>dev</code> has the API key <code>dev-key</code>. Client <code>default</code> gets its
                tokens from the platform simulator at <code>/dev/platform</code> (client id <code>dev-client</code>,
                secret <code>dev-secret</code>); tokens are kept in memory unless <code>quarkus.redis.hosts</code> is set.</p>
                <pre>curl -H 'Authorization: Bearer dev-key' localhost:8080/token
                curl -H 'Authorization: Bearer dev-key' localhost:8080/platform/default/openapi/orders/42</pre>
                <h2>Clients</h2>
                <table><tr><th>client</th><th>token (fingerprint only)</th><th></th></tr>
                %s</table>
                <h2>More</h2>
                <ul>
                <li><a href="%s/q/swagger-ui">Swagger UI</a> (Authorize with <code>dev-key</code>)</li>
                <li><a href="/q/dev-ui">Dev UI</a> (Quarkus' own; the broker's state is on this page)</li>
                <li><a href="%s/q/health/ready">readiness</a>, <a href="%s/q/metrics">metrics</a>,
                <a href="%s/q/broker/clients">operators' view</a> (API key needed)</li>
                </ul></body></html>
                """.formatted(clientRows, management, management, management, management);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
