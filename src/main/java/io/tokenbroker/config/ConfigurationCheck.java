package io.tokenbroker.config;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.Secret;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Checks the configuration first thing at start-up: the rules on single properties
 * ({@link PropertyRules}) and those that tie several together. A broken configuration stops the
 * start with every problem named at once.
 */
@Singleton
class ConfigurationCheck {

    private static final Logger LOG = Logger.getLogger(ConfigurationCheck.class);

    void onStart(@Observes @Priority(1) StartupEvent start, BrokerConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid broker configuration:\n  - " + String.join("\n  - ", problems));
        }
        if (config.platform().timeout().compareTo(config.lock().waitTimeout()) >= 0) {
            LOG.warnf("broker.platform.timeout (%s) is not shorter than broker.lock.wait-timeout (%s): callers "
                    + "on other replicas stop waiting before a slow platform answers the lock holder",
                    config.platform().timeout(), config.lock().waitTimeout());
        }
    }

    static List<String> problems(BrokerConfig config) {
        List<String> problems = new ArrayList<>(PropertyRules.problems(config));
        config.clients().keySet().stream().filter(name -> !ClientNames.isValid(name)).forEach(name ->
                problems.add("broker.clients." + name + ": a client name is 1 to 64 letters, digits, '.', '-' or '_'"));
        if (!config.clients().containsKey(config.defaultClient())) {
            problems.add("broker.default-client is '" + config.defaultClient()
                    + "' but no broker.clients." + config.defaultClient() + ".* is configured");
        }
        config.clients().forEach((name, client) -> {
            if (client.secret().map(Secret::get).isPresent() == client.secretFile().isPresent()) {
                problems.add("broker.clients." + name + ": set exactly one of secret and secret-file");
            }
            client.secret().map(Secret::get).filter(String::isBlank).ifPresent(blank ->
                    problems.add("broker.clients." + name + ".secret must not be blank"));
            client.secretFile().filter(file -> !Files.isReadable(file)).ifPresent(file ->
                    problems.add("broker.clients." + name + ".secret-file: " + file + " cannot be read"));
        });
        config.callers().forEach((caller, grant) -> {
            if (grant.keySha256().isEmpty() && grant.serviceAccount().isEmpty()) {
                problems.add("broker.callers." + caller + ": set key-sha256, service-account or both");
            }
        });
        config.callers().forEach((caller, grant) -> grant.clients().stream()
                .filter(client -> !client.equals("*") && !config.clients().containsKey(client))
                .forEach(client -> problems.add("broker.callers." + caller + ".clients names '" + client
                        + "', which is not a configured client")));
        boolean sealing = config.store().encryptionKey().map(Secret::get).isPresent();
        if (config.store().previousEncryptionKey().map(Secret::get).isPresent() && !sealing) {
            problems.add("broker.store.previous-encryption-key is set without broker.store.encryption-key");
        }
        if (config.store().nextEncryptionKey().map(Secret::get).isPresent() && !sealing) {
            problems.add("broker.store.next-encryption-key is set without broker.store.encryption-key");
        }
        Duration handedOutFor = config.token().handedOutFor();
        if (handedOutFor.compareTo(Duration.ofSeconds(2)) < 0) {
            problems.add("broker.token.safety-margin must leave at least 2s of broker.token.lifetime");
        } else if (config.token().refreshAhead().compareTo(handedOutFor) >= 0) {
            problems.add("broker.token.refresh-ahead must be shorter than broker.token.lifetime minus "
                    + "broker.token.safety-margin (" + handedOutFor + "), or every token would be refreshed at once");
        }
        return problems;
    }
}
