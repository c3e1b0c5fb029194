package io.tokenbroker.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One replica of the packaged broker ({@code java -jar target/quarkus-app/quarkus-run.jar}) in its
 * own process, configured only with {@code -D} properties, as an operator would run it. It runs in
 * production mode against stand-ins that speak plain HTTP, so it allows insecure URLs.
 */
public final class BrokerReplica implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String address;
    private final int port;
    private final int managementPort;

    private BrokerReplica(Process process, Path log, String address, int port, int managementPort) {
        this.address = address;
        this.process = process;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts a replica on a free port and waits until it is ready. */
    public static BrokerReplica start(Map<String, String> properties) {
        return start(properties, List.of());
    }

    /** Starts a replica with these extra JVM options on a free port and waits until it is ready. */
    public static BrokerReplica start(Map<String, String> properties, List<String> jvmOptions) {
        return start(properties, jvmOptions, Map.of());
    }

    /**
     * Starts a replica with these extra JVM options and environment variables (a shifted clock, say:
     * {@link ShiftedClock}) on a free port and waits until it is ready.
     */
    public static BrokerReplica start(Map<String, String> properties, List<String> jvmOptions,
            Map<String, String> environment) {
        return start(properties, jvmOptions, environment, true);
    }

    /**
     * Starts a replica that is not expected to become ready (a wrong Redis, say) and waits until it is
     * live: its readiness is the test's to check.
     */
    public static BrokerReplica startLive(Map<String, String> properties) {
        return start(properties, List.of(), Map.of(), false);
    }

    /**
     * Starts a replica on {@code host} of a {@link TestNetwork}, listening on every address there, and
     * waits until it is ready.
     */
    public static BrokerReplica startIn(TestNetwork.Host host, Map<String, String> properties) {
        return start(properties, List.of("-Dquarkus.http.host=0.0.0.0", "-Dquarkus.management.host=0.0.0.0"),
                Map.of(), true, host.exec(), host.address(), IN_NAMESPACE_PORT, IN_NAMESPACE_MANAGEMENT_PORT);
    }

    /** The ports of a replica in a namespace of its own, where every port is free: the defaults. */
    public static final int IN_NAMESPACE_PORT = 8080;
    public static final int IN_NAMESPACE_MANAGEMENT_PORT = 9000;

    private static BrokerReplica start(Map<String, String> properties, List<String> jvmOptions,
            Map<String, String> environment, boolean readiness) {
        return start(properties, jvmOptions, environment, readiness, List.of(), "127.0.0.1",
                RedisServerProcess.freePort(), RedisServerProcess.freePort());
    }

    private static BrokerReplica start(Map<String, String> properties, List<String> jvmOptions,
            Map<String, String> environment, boolean readiness, List<String> prefix, String address, int port,
            int managementPort) {
        String jar = System.getProperty("broker.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + managementPort, "-Xmx256m", "-Dbroker.allow-insecure-urls=true",
                // Replicas stop at once unless a test asks for the production delay before shutdown.
                "-Dquarkus.shutdown.delay=0s"));
        command.addAll(jvmOptions);
        properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.addAll(List.of("-jar", jar));
        try {
            Path log = Files.createTempFile("broker-replica-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            BrokerReplica replica = new BrokerReplica(process, log, address, port, managementPort);
            replica.await(readiness ? "/q/health/ready" : "/q/health/live");
            return replica;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code path} on the port callers use. */
    public URI uri(String path) {
        return URI.create("http://" + address + ":" + port + path);
    }

    /** {@code path} on the management interface ({@code /q/*}: health, metrics, OpenAPI, admin). */
    public URI managementUri(String path) {
        return URI.create("http://" + address + ":" + managementPort + path);
    }

    /** Ends the process at once, as a crash or {@code kill -9} would: no shutdown hook runs. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the process to stop ({@code SIGTERM}), as Kubernetes does, without waiting for it. */
    public void terminate() {
        signal("-TERM");
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Freezes the process ({@code SIGSTOP}), as a long GC pause or a stalled node would. */
    public void pause() {
        signal("-STOP");
    }

    /** Lets a paused process go on ({@code SIGCONT}), believing no time has passed. */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The operating system's process id of the replica. */
    public long pid() {
        return process.pid();
    }

    /** Everything the replica has printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void await(String health) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the replica exited at start:\n" + output());
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(managementUri(health)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        throw new IllegalStateException("the replica did not answer " + health + " with 200:\n" + output());
    }
}
