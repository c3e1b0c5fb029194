package io.tokenbroker.testing;

import io.tokenbroker.security.AuditTrail;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log line written while it is open, at every level, with its MDC fields and stack traces, as
 * text; and the fields of each line, for tests that read structured lines such as the audit trail's.
 * The audit category does not pass its lines on to the root logger's handlers, so this one listens
 * there too.
 */
public final class CapturedLogs extends Handler implements AutoCloseable {

    /** One captured line's category and fields (the record's MDC). */
    private record Captured(String category, Map<String, String> fields) {
    }

    private final List<Captured> captured = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Logger> loggers = List.of(Logger.getLogger(""), Logger.getLogger(AuditTrail.CATEGORY));

    public CapturedLogs() {
        setLevel(Level.ALL);
        loggers.forEach(logger -> logger.addHandler(this));
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The fields of every line written to {@code category}, in order. */
    public List<Map<String, String>> fields(String category) {
        return captured.stream().filter(line -> line.category().equals(category)).map(Captured::fields).toList();
    }

    @Override
    public void publish(LogRecord record) {
        Map<String, String> fields = fields(record);
        String message = formatted(record);
        captured.add(new Captured(record.getLoggerName(), fields));
        StringBuilder line = new StringBuilder(record.getLoggerName() + " " + message);
        if (!fields.isEmpty()) {
            line.append(' ').append(fields);
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        lines.add(line.toString());
    }

    private static Map<String, String> fields(LogRecord record) {
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            return new TreeMap<>(ext.getMdcCopy());
        }
        return Map.of();
    }

    private static String formatted(LogRecord record) {
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            return ext.getFormattedMessage();
        }
        return record.getMessage();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.removeHandler(this));
    }
}
