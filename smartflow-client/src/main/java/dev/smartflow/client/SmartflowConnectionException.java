package dev.smartflow.client;

/** The gateway could not be reached: refused or reset connection, unknown host, TLS failure. */
public final class SmartflowConnectionException extends SmartflowException {
    public SmartflowConnectionException(String message, Throwable cause) {
        super(message, 0, "connection_error", null, null, null, cause);
    }
}
