package io.tokenbroker.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** A unique name of this broker process, readable by operators: {@code host/pid/random}. */
final class ReplicaId {

    private ReplicaId() {
    }

    static String create() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
