package dev.smartflow.client;

/** 401: the key is missing, unknown or wrong for this service (the management API takes only the master key). */
public final class AuthenticationException extends SmartflowException {
    public AuthenticationException(String message, String type, String code, String requestId) {
        super(message, 401, type, code, null, requestId, null);
    }
}
