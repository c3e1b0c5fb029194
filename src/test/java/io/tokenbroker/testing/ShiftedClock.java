package io.tokenbroker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process whose wall clock disagrees with the host's, for real: Debian's libfaketime preloaded, the
 * offset fixed, the monotonic clock untouched (as on a host whose NTP is off but whose kernel counts
 * time normally). When the library is missing it installs Debian's {@code faketime} package (as root, or
 * with password-less sudo), so that {@code ./mvnw verify} needs nothing installed by hand; where it cannot,
 * the tests that need a shifted clock fail, never skip.
 */
public final class ShiftedClock {

    private static final List<Path> LIBRARY = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/faketime/libfaketime.so.1"));

    private ShiftedClock() {
    }

    /** The environment that shifts a process's wall clock by {@code offset} (negative: behind). */
    public static Map<String, String> environment(Duration offset) {
        if (library().isEmpty()) {
            install();
        }
        Path library = library().orElseThrow(() -> new AssertionError(
                "libfaketime is missing and could not be installed: install Debian's faketime package"));
        String seconds = (offset.isNegative() ? "-" : "+") + offset.abs().toSeconds() + "s";
        return Map.of("LD_PRELOAD", library.toString(), "FAKETIME", seconds, "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }

    /**
     * The environment of a process whose wall clock follows the offset written in {@code file} (as
     * {@link #step} writes it), read again every second: a clock that steps while the process runs, as
     * NTP stepping a host's clock does.
     */
    public static Map<String, String> steppable(Path file) {
        step(file, Duration.ZERO);
        Map<String, String> environment = new java.util.HashMap<>(environment(Duration.ZERO));
        environment.remove("FAKETIME");
        environment.put("FAKETIME_TIMESTAMP_FILE", file.toAbsolutePath().toString());
        environment.put("FAKETIME_CACHE_DURATION", "1");
        return environment;
    }

    /** Sets the offset of a {@link #steppable} clock: it steps within a second. */
    public static void step(Path file, Duration offset) {
        try {
            Path next = Files.createTempFile(file.toAbsolutePath().getParent(), "faketime", ".tmp");
            Files.writeString(next, (offset.isNegative() ? "-" : "+") + offset.abs().toSeconds() + "s\n");
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> library() {
        return LIBRARY.stream().filter(Files::isReadable).findFirst();
    }

    private static synchronized void install() {
        if (library().isPresent()) {
            return;
        }
        String sudo = "root".equals(System.getProperty("user.name")) ? "" : "sudo -n ";
        String install = sudo + "env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime";
        try {
            Process apt = new ProcessBuilder("sh", "-c", install + " || { " + sudo + "apt-get update -qq && " + install
                    + "; }").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            apt.waitFor(5, TimeUnit.MINUTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
