package io.tokenbroker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A network of test hosts made of Linux network namespaces ({@code ip netns}, iproute2), so that links
 * can be cut for real while processes run: each host is a namespace with one veth on a bridge in a
 * namespace of its own, in a private 10.x.y.0/24 the network drew. The test JVM stays in its own
 * namespace, joined to the bridge at {@link #callerAddress()} (callers) and {@link #platformAddress()}
 * (where the platform stand-in listens), so cutting a host from the platform leaves its callers alone.
 * Links are cut by blackhole routes on both ends (new connections fail, established ones go silent),
 * or a host is isolated by taking its veth down (everything goes silent). Traffic goes only to the
 * addresses the network assigned itself; {@link #close} removes every namespace and link it made.
 * Needs root, as CI has.
 */
public final class TestNetwork implements AutoCloseable {

    private static final Pattern OURS = Pattern.compile("tb[0-9a-f]{4}(hub|h\\d+)");

    private final String id;
    private final String subnet;
    private final String hub;
    private final String rootLink;
    private final List<Host> hosts = new ArrayList<>();

    /** One host: a namespace with an address; its processes run under {@link #exec()}. */
    public record Host(String name, String namespace, String address, String hubLink) {

        /** The command prefix that runs a process on this host. */
        public List<String> exec() {
            return List.of("ip", "netns", "exec", namespace);
        }

        @Override
        public String toString() {
            return name + " (" + address + ")";
        }
    }

    private TestNetwork(String id, String subnet) {
        this.id = id;
        this.subnet = subnet;
        this.hub = "tb" + id + "hub";
        this.rootLink = "tb" + id + "r";
    }

    /** A new, empty network; namespaces an earlier run left without processes are removed first. */
    public static TestNetwork create() {
        removeAbandoned();
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[2];
        random.nextBytes(bytes);
        TestNetwork network = new TestNetwork(HexFormat.of().formatHex(bytes),
                "10." + (100 + random.nextInt(100)) + "." + random.nextInt(250) + ".");
        try {
            network.build();
        } catch (RuntimeException failed) {
            network.close();
            throw failed;
        }
        return network;
    }

    private void build() {
        ip("netns", "add", hub);
        ip("-n", hub, "link", "add", "br0", "type", "bridge");
        ip("-n", hub, "link", "set", "br0", "up");
        ip("link", "add", rootLink, "type", "veth", "peer", "name", "root", "netns", hub);
        ip("-n", hub, "link", "set", "root", "master", "br0");
        ip("-n", hub, "link", "set", "root", "up");
        ip("addr", "add", callerAddress() + "/24", "dev", rootLink);
        ip("addr", "add", platformAddress() + "/24", "dev", rootLink);
        ip("link", "set", rootLink, "up");
    }

    /** The test JVM's address towards the hosts: where callers' requests come from. */
    public String callerAddress() {
        return subnet + "254";
    }

    /** A second address of the test JVM's, where the platform stand-in listens. */
    public String platformAddress() {
        return subnet + "253";
    }

    /** Adds a host with the next address. */
    public synchronized Host host(String name) {
        int number = hosts.size() + 1;
        Host host = new Host(name, "tb" + id + "h" + number, subnet + number, "tb" + id + "v" + number);
        ip("netns", "add", host.namespace());
        ip("link", "add", host.hubLink(), "type", "veth", "peer", "name", "eth0", "netns", host.namespace());
        ip("link", "set", host.hubLink(), "netns", hub);
        ip("-n", hub, "link", "set", host.hubLink(), "master", "br0");
        ip("-n", hub, "link", "set", host.hubLink(), "up");
        ip("-n", host.namespace(), "link", "set", "lo", "up");
        ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0");
        ip("-n", host.namespace(), "link", "set", "eth0", "up");
        hosts.add(host);
        return host;
    }

    /** Cuts the link between two hosts, both ways; everything else still reaches both. */
    public void cut(Host one, Host other) {
        ip("-n", one.namespace(), "route", "add", "blackhole", other.address() + "/32");
        ip("-n", other.namespace(), "route", "add", "blackhole", one.address() + "/32");
    }

    /** Restores a link {@link #cut} cut. */
    public void heal(Host one, Host other) {
        ip("-n", one.namespace(), "route", "del", "blackhole", other.address() + "/32");
        ip("-n", other.namespace(), "route", "del", "blackhole", one.address() + "/32");
    }

    /** Cuts {@code host} from the platform stand-in only: its callers still reach it. */
    public void cutFromPlatform(Host host) {
        ip("-n", host.namespace(), "route", "add", "blackhole", platformAddress() + "/32");
    }

    /** Restores what {@link #cutFromPlatform} cut. */
    public void healFromPlatform(Host host) {
        ip("-n", host.namespace(), "route", "del", "blackhole", platformAddress() + "/32");
    }

    /** Removes every namespace and link of this network; its hosts' processes must have ended. */
    @Override
    public synchronized void close() {
        for (Host host : hosts) {
            quietly("netns", "del", host.namespace());
        }
        quietly("link", "del", rootLink);
        quietly("netns", "del", hub);
    }

    private static void removeAbandoned() {
        for (String line : output("netns", "list")) {
            String name = line.split(" ")[0];
            if (OURS.matcher(name).matches() && output("netns", "pids", name).isEmpty()) {
                quietly("netns", "del", name);
            }
        }
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Result result = run(command);
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exit() + "): "
                    + result.output() + " (network namespaces need root and iproute2)");
        }
    }

    private static void quietly(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command);
    }

    private static List<String> output(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Result result = run(command);
        return result.exit() != 0 || result.output().isBlank() ? List.of() : List.of(result.output().split("\n"));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
