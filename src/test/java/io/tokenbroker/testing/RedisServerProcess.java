package io.tokenbroker.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server for the tests, on a free port: {@code redis-server} from the PATH, or the
 * binary that the embedded-redis test dependency ships when the PATH has none. Nothing is persisted.
 * Like a production Redis, it requires a password ({@link #PASSWORD}); so does a Sentinel
 * ({@link #launchSentinel}), because the broker's Redis client sends the same password to both.
 */
public final class RedisServerProcess implements AutoCloseable {

    /** The password every test Redis requires ({@code quarkus.redis.password}). */
    public static final String PASSWORD = "test-redis-password-7c1e";

    private final int port;
    private final String address;
    private final List<String> prefix;
    private final List<String> extraArgs;
    private final Path workDir;
    /** A Sentinel's configuration file, which it rewrites as it learns; {@code null} for a plain server. */
    private Path sentinelConfig;
    private Process process;

    private RedisServerProcess(int port, List<String> extraArgs) throws IOException {
        this(port, "127.0.0.1", List.of(), extraArgs);
    }

    private RedisServerProcess(int port, String address, List<String> prefix, List<String> extraArgs)
            throws IOException {
        this.port = port;
        this.address = address;
        this.prefix = List.copyOf(prefix);
        this.extraArgs = List.copyOf(extraArgs);
        this.workDir = Files.createTempDirectory("redis-test-");
    }

    /** Starts a server on a free port with these extra {@code --option value} arguments. */
    public static RedisServerProcess launch(String... extraArgs) {
        try {
            RedisServerProcess server = new RedisServerProcess(freePort(), List.of(extraArgs));
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server", e);
        }
    }

    /** Starts a server on {@code host} of a {@link TestNetwork}, listening on its address only. */
    public static RedisServerProcess launchIn(TestNetwork.Host host) {
        try {
            RedisServerProcess server = new RedisServerProcess(freePort(), host.address(), host.exec(), List.of());
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server in " + host, e);
        }
    }

    /**
     * Starts a Sentinel ({@code redis-server FILE --sentinel}) on a free port whose configuration file
     * holds {@code configLines} ({@code sentinel monitor …} and the like). A Sentinel needs a writable
     * file of its own: it records there what it learns about the master, replicas and other Sentinels.
     */
    public static RedisServerProcess launchSentinel(List<String> configLines) {
        try {
            RedisServerProcess sentinel = new RedisServerProcess(freePort(), List.of());
            sentinel.sentinelConfig = sentinel.workDir.resolve("sentinel.conf");
            Files.write(sentinel.sentinelConfig, configLines);
            sentinel.start();
            return sentinel;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server --sentinel", e);
        }
    }

    public int port() {
        return port;
    }

    /** The {@code quarkus.redis.hosts} value for this server. */
    public String uri() {
        return "redis://" + address + ":" + port;
    }

    /** Starts the server (again, after {@link #stop()}): empty, unless a snapshot was restored. */
    public synchronized void start() throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(executable());
        if (sentinelConfig != null) {
            command.addAll(List.of(sentinelConfig.toString(), "--sentinel"));
        }
        command.addAll(List.of("--port", Integer.toString(port),
                "--bind", address, "--save", "", "--appendonly", "no", "--dir", workDir.toString(),
                "--requirepass", PASSWORD));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("redis.log").toFile()).start();
        awaitPong();
    }

    /**
     * Writes a snapshot of everything the server holds now ({@code SAVE}) and returns a copy of it,
     * for {@link #restartFrom}.
     */
    public Path snapshot() {
        String saved = call("SAVE");
        if (!"+OK".equals(saved)) {
            throw new IllegalStateException("SAVE failed: " + saved);
        }
        try {
            Path copy = Files.createTempFile(workDir, "snapshot-", ".rdb");
            Files.copy(workDir.resolve("dump.rdb"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server and starts it again from {@code snapshot}, as a restore from an old backup would. */
    public synchronized void restartFrom(Path snapshot) {
        stop();
        try {
            Files.copy(snapshot, workDir.resolve("dump.rdb"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server, as an outage would. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Ends the server at once ({@code kill -9}), as a crashed host would: nothing is flushed or handed over. */
    public synchronized void kill() {
        if (process != null) {
            try {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Sends one command and returns its reply: an integer as {@code :N}, a simple string as {@code +S},
     * a bulk string as its value, nil as {@code null}.
     */
    public String call(String... args) {
        return RedisCalls.call(address, port, args);
    }

    /**
     * Sends a write that plants a fault for a test, failing unless Redis answered {@code expected}
     * ({@code +OK}, {@code :1}, …): {@link #call} returns an error reply like any other, and a plant
     * Redis refused would leave the test running without its scenario.
     */
    public void plant(String expected, String... args) {
        String reply = call(args);
        if (!expected.equals(reply)) {
            // The command and key only: the values planted may be tokens, which logs must not hold.
            throw new AssertionError(args[0] + " " + (args.length > 1 ? args[1] : "") + " answered " + reply
                    + ", not " + expected + ": the fault was not planted");
        }
    }

    /**
     * Sends one command whose reply is an array ({@code ROLE}, {@code SENTINEL …}) and returns its
     * elements, each rendered as {@link #call} renders a reply.
     */
    public List<String> callForList(String... args) {
        return RedisCalls.callForList(address, port, args);
    }

    private void awaitPong() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            try {
                if ("+PONG".equals(call("PING"))) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            sleep(50);
        }
        throw new IOException("redis-server did not answer on port " + port + "; see " + workDir.resolve("redis.log"));
    }

    private static String executable() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "redis-server");
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        return ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
    }

    /** A TCP port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
