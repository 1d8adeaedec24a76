package dev.smartflow.core.error;

/**
 * The caller went away before the answer was complete: its connection closed, so the upstream call was cancelled.
 * Recorded with status {@value #STATUS} (nginx's "client closed request"); no answer is ever written for it, since
 * nobody is there to read one.
 */
public final class ClientClosed extends SmartflowException {
    /** The status the audit record and the metrics carry. */
    public static final int STATUS = 499;

    /** @param what what was cut short, e.g. {@code "openai call"}; never prompt text */
    public ClientClosed(String what, Throwable cause) {
        super("the client closed the connection during the " + what, "client_closed_request", null, cause);
    }

    @Override
    public int status() {
        return STATUS;
    }

    @Override
    public String type() {
        return "client_closed_request";
    }
}
