package io.tokenbroker.security;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ClientNames;
import io.tokenbroker.token.UnknownClientException;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;

/**
 * Decides which client a request means and whether its caller may use it, for {@code /token} and for
 * business calls alike. Each decision is one fast check that answers null on a miss (what the hot path
 * asks), and the slow path is that same check plus an explanation, in the contract's order: syntax
 * (400), existence (404), then the caller's grants (403).
 */
@Singleton
public class ClientAccess {

    private final String defaultClient;
    private final Set<String> clients;

    ClientAccess(BrokerConfig config) {
        this.defaultClient = config.defaultClient();
        this.clients = Set.copyOf(config.clients().keySet());
    }

    /**
     * The client {@code caller} asked for ({@code requested}, or the default client when absent), if it
     * exists and the caller may read its token; null otherwise.
     */
    public String readableClient(Caller caller, String requested) {
        String client = requested == null ? defaultClient : requested;
        return clients.contains(client) && caller.mayRead(client) ? client : null;
    }

    /**
     * {@link #readableClient}, explaining a miss.
     *
     * @throws InvalidClientNameException if the name is malformed
     * @throws UnknownClientException if no such client is configured
     * @throws AccessDeniedException if the caller was not granted it, or may not read tokens
     */
    public String resolve(Caller caller, String requested) {
        String client = readableClient(caller, requested);
        if (client != null) {
            return client;
        }
        String name = requested == null ? defaultClient : requested;
        requireUsable(caller, name);
        throw AccessDeniedException.tokenAccess(caller, name);
    }

    /**
     * Whether {@code caller} may call the platform path of these (decoded) segments with {@code client}'s
     * token.
     */
    public boolean mayCall(Caller caller, String client, List<String> pathSegments) {
        return clients.contains(client) && caller.mayUse(client) && caller.mayCall(pathSegments);
    }

    /**
     * {@link #mayCall}, explaining a miss.
     *
     * @throws InvalidClientNameException if the name is malformed
     * @throws UnknownClientException if no such client is configured
     * @throws AccessDeniedException if the caller was not granted the client or the path
     */
    public void requireCallable(Caller caller, String client, List<String> pathSegments) {
        if (mayCall(caller, client, pathSegments)) {
            return;
        }
        requireUsable(caller, client);
        throw AccessDeniedException.platformPath(caller, client);
    }

    /**
     * Lets operators through: every client's token state and rotation are for callers with
     * {@code broker.callers.CALLER.admin=true} only.
     *
     * @throws AccessDeniedException if the caller is no operator
     */
    public void requireAdmin(Caller caller) {
        if (!caller.admin()) {
            throw AccessDeniedException.admin(caller);
        }
    }

    /**
     * {@code client}, if it names a configured client: for operators, who may see every client.
     *
     * @throws InvalidClientNameException if the name is malformed (never looked up or echoed)
     * @throws UnknownClientException if no such client is configured
     */
    public String requireConfigured(String client) {
        if (!ClientNames.isValid(client)) {
            throw new InvalidClientNameException();
        }
        if (!clients.contains(client)) {
            throw new UnknownClientException(client);
        }
        return client;
    }

    /** Explains why {@code caller} cannot use {@code client} at all, if that is why. */
    private void requireUsable(Caller caller, String client) {
        requireConfigured(client);
        if (!caller.mayUse(client)) {
            throw AccessDeniedException.client(caller, client);
        }
    }
}
