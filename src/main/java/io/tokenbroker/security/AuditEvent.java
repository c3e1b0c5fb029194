package io.tokenbroker.security;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * One line of the audit trail: the event's name as the message and each fact as a field of the log
 * record (its MDC), which the JSON log format writes as JSON fields ({@code "mdc":{"event":…,
 * "caller":…}}). Facts never go into the message as text, where a value a caller chose could look like
 * one more field; control characters are replaced, so no value can start a line of its own in a text
 * log either. The thread's own MDC entries (a trace id, say) stay beside the facts.
 */
final class AuditEvent {

    private static final Logger LOGGER = Logger.getLogger(AuditTrail.CATEGORY);
    private static final String LOGGER_CLASS = AuditEvent.class.getName();

    private final ExtLogRecord record;

    private AuditEvent(String event) {
        record = new ExtLogRecord(Level.INFO, event, ExtLogRecord.FormatStyle.NO_FORMAT, LOGGER_CLASS);
        with("event", event);
    }

    /** Whether audit lines are written at all: the category may be silenced. */
    static boolean enabled() {
        return LOGGER.isLoggable(Level.INFO);
    }

    /** An event of kind {@code event} (a fixed word such as {@code hand-out}), with no facts yet. */
    static AuditEvent of(String event) {
        return new AuditEvent(event);
    }

    /** Adds the fact {@code field} ({@code null} is written as {@code -}). */
    AuditEvent with(String field, Object value) {
        record.putMdc(field, value == null ? "-" : printable(value.toString()));
        return this;
    }

    /** Hands the line to the category's handlers (asynchronous ones: no I/O on this thread). */
    void write() {
        LOGGER.logRaw(record);
    }

    private static String printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return replaceControls(value);
            }
        }
        return value;
    }

    private static String replaceControls(String value) {
        StringBuilder clean = new StringBuilder(value.length());
        value.chars().forEach(c -> clean.append(Character.isISOControl(c) ? '?' : (char) c));
        return clean.toString();
    }
}
