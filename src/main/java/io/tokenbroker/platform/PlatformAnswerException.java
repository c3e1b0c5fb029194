package io.tokenbroker.platform;

/** The platform answered something that is not its envelope (HTML, broken JSON, no token). */
public final class PlatformAnswerException extends PlatformException {

    PlatformAnswerException(String client, String message) {
        super(client, message);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
