package io.tokenbroker.platform;

import io.smallrye.config.Secret;
import io.tokenbroker.config.BrokerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one client's platform secret comes from: the configuration, or a mounted file read again
 * before every platform call. Kubernetes updates a Secret volume by swapping a symlink, so a rotated
 * secret is seen by the next call without a restart and without watching the file.
 */
final class PlatformSecret {

    private final String client;
    private final Optional<String> configured;
    private final Optional<Path> file;

    PlatformSecret(String client, BrokerConfig.Client config) {
        this.client = client;
        // A Secret unlocks only through get(); SmallRye Config refuses the key to anyone else.
        this.configured = config.secret().map(Secret::get);
        this.file = config.secretFile();
    }

    /**
     * The secret to send now.
     *
     * @throws PlatformUnavailableException if the secret file cannot be read or is empty
     */
    String current(PlatformAnswers answers) {
        if (file.isEmpty()) {
            return configured.orElseThrow();
        }
        String secret;
        try {
            secret = read(file.get());
        } catch (IOException e) {
            throw answers.notIssued(client, "the secret file " + file.get() + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (secret.isEmpty()) {
            throw answers.notIssued(client, "the secret file " + file.get() + " is empty");
        }
        return secret;
    }

    /** The file's content without the line break editors and {@code kubectl create secret} leave. */
    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
}
