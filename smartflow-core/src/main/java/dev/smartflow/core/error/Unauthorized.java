package dev.smartflow.core.error;

/** No credential, or one Smartflow does not accept: HTTP 401. The message never repeats the credential. */
public final class Unauthorized extends SmartflowException {
    public Unauthorized(String message) {
        super(message, "invalid_api_key", null, null);
    }

    @Override
    public int status() {
        return 401;
    }

    @Override
    public String type() {
        return "invalid_request_error";
    }
}
