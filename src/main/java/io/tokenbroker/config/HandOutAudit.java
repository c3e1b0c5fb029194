package io.tokenbroker.config;

/** How token hand-outs are written to the audit trail ({@code broker.audit.hand-outs}). */
public enum HandOutAudit {
    /**
     * The first hand-out of each token to each caller at each address, then one count per
     * {@code broker.audit.summary-interval}: the same facts, without a log line per request.
     */
    SUMMARY,
    /** One line per hand-out; at thousands of requests per second, the log is the bottleneck. */
    EVERY
}
