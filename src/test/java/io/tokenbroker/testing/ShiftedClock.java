package io.tokenbroker.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A process whose wall clock disagrees with the host's, for real: Debian's libfaketime preloaded, the
 * offset fixed, the monotonic clock untouched (as on a host whose NTP is off but whose kernel counts
 * time normally). {@code .ci/run} installs the {@code faketime} package; without it the tests that need
 * a shifted clock fail, never skip.
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
        Path library = LIBRARY.stream().filter(Files::isReadable).findFirst().orElseThrow(() -> new AssertionError(
                "libfaketime is missing: install Debian's faketime package (.ci/run does)"));
        String seconds = (offset.isNegative() ? "-" : "+") + offset.abs().toSeconds() + "s";
        return Map.of("LD_PRELOAD", library.toString(), "FAKETIME", seconds, "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }
}
