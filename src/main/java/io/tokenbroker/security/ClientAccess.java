package io.tokenbroker.security;

import io.tokenbroker.config.BrokerConfig;
import io.tokenbroker.config.ClientNames;
import io.tokenbroker.token.UnknownClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Decides which client a request means and whether its caller may read it, in the contract's order:
 * syntax (400), existence (404), then the caller's grant (403).
 */
@ApplicationScoped
public class ClientAccess {

    private final String defaultClient;
    private final Set<String> clients;

    ClientAccess(BrokerConfig config) {
        this.defaultClient = config.defaultClient();
        this.clients = Set.copyOf(config.clients().keySet());
    }

    /**
     * The client {@code caller} asked for ({@code requested}, or the default client when absent).
     *
     * @throws InvalidClientNameException if the name is malformed
     * @throws UnknownClientException if no such client is configured
     * @throws ClientNotAllowedException if the caller was not granted it
     */
    public String resolve(Caller caller, String requested) {
        String client = requested == null ? defaultClient : requested;
        if (requested != null && !ClientNames.isValid(client)) {
            throw new InvalidClientNameException();
        }
        if (!clients.contains(client)) {
            throw new UnknownClientException(client);
        }
        if (!caller.mayRead(client)) {
            throw new ClientNotAllowedException(caller, client);
        }
        return client;
    }

    /**
     * The client {@code caller} asked for, if it exists and the caller may read it; null in every case
     * where {@link #resolve} throws (a malformed name is never a configured one).
     */
    public String readableClient(Caller caller, String requested) {
        String client = requested == null ? defaultClient : requested;
        return clients.contains(client) && caller.mayRead(client) ? client : null;
    }
}
