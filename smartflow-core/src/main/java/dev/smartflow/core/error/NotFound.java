package dev.smartflow.core.error;

/** The route, model or record does not exist: HTTP 404. */
public final class NotFound extends SmartflowException {
    public NotFound(String message, String code) {
        super(message, code, null, null);
    }

    @Override
    public int status() {
        return 404;
    }

    @Override
    public String type() {
        return "invalid_request_error";
    }
}
