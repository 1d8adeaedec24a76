package dev.smartflow.core.error;

/** The request is malformed or names something that cannot serve it: HTTP 400. */
public final class InvalidRequest extends SmartflowException {
    public InvalidRequest(String message, String code, String param) {
        super(message, code, param, null);
    }

    public InvalidRequest(String message) {
        this(message, null, null);
    }

    @Override
    public int status() {
        return 400;
    }

    @Override
    public String type() {
        return "invalid_request_error";
    }
}
