package io.tokenbroker.testing;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Callers asking replicas for a client's token without pause for a while, and what each was served:
 * the load under which the multi-replica tests check that no dead token is handed out.
 */
public final class TokenLoad {

    /** One answer: its status, the token it carried, when it was asked for, and which replica served it. */
    public record Served(int status, String token, Instant sent, String replica) {
    }

    private TokenLoad() {
    }

    /** {@code callers} callers spread over {@code replicas}, each asking for {@code client}'s token for {@code load}. */
    public static List<Served> run(ReplicaSet set, List<BrokerReplica> replicas, String client, int callers,
            Duration load) {
        List<Served> served = Collections.synchronizedList(new ArrayList<>());
        Instant end = Instant.now().plus(load);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        for (int i = 0; i < callers; i++) {
            BrokerReplica replica = replicas.get(i % replicas.size());
            pool.execute(() -> {
                while (Instant.now().isBefore(end)) {
                    Instant sent = Instant.now();
                    HttpResponse<String> response = set.send(set.tokenRequest(replica, client));
                    served.add(new Served(response.statusCode(), ReplicaSet.token(response.body()), sent,
                            replica.uri("").getAuthority()));
                }
            });
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(load.toSeconds() + 60, TimeUnit.SECONDS)) {
                throw new AssertionError("callers still waiting a minute after the load ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return List.copyOf(served);
    }

    /** What was served after the platform had replaced it, {@code learning} given to learn of a rotation. */
    public static List<Served> dead(List<Served> served, PlatformStandIn platform, Duration learning) {
        return served.stream().filter(s -> {
            Instant invalidated = platform.invalidatedAt(s.token());
            return invalidated != null && s.sent().isAfter(invalidated.plus(learning));
        }).toList();
    }
}
