package io.tokenbroker.config;

/** How token hand-outs and denials are written to the audit trail ({@code broker.audit.hand-outs}). */
public enum HandOutAudit {
    /**
     * The first hand-out of each token to each caller at each address, and the first denial of each
     * caller, client and status, then one count of each per {@code broker.audit.summary-interval}: the
     * same facts, without a log line per request.
     */
    SUMMARY,
    /**
     * One line per hand-out and per denial: at thousands of requests per second the log is the
     * bottleneck, and whoever can reach the broker can write a line per refused request.
     */
    EVERY
}
