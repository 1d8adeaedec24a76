package dev.smartflow.client;

/**
 * No answer within the client's timeout (for a stream: no bytes within it). The call may still have reached the
 * gateway; it cancels the provider call when the connection closes.
 */
public final class SmartflowTimeoutException extends SmartflowException {
    public SmartflowTimeoutException(String message, Throwable cause) {
        super(message, 0, "timeout", null, null, null, cause);
    }
}
