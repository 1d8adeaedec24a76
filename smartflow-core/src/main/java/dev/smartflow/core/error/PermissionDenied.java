package dev.smartflow.core.error;

/**
 * The caller is known but may not do this, e.g. a virtual key restricted to other providers: HTTP 403 with OpenAI's
 * {@code permission_error} type.
 */
public final class PermissionDenied extends SmartflowException {
    public PermissionDenied(String message, String code) {
        super(message, code, null, null);
    }

    @Override
    public int status() {
        return 403;
    }

    @Override
    public String type() {
        return "permission_error";
    }
}
