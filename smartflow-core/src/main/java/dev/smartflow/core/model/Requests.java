package dev.smartflow.core.model;

import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;

/** What the request types share: a {@code toString} that names the model and never the content (prompts). */
final class Requests {
    private Requests() {
    }

    static String model(Body body) {
        try {
            return body.text("model").orElse("?");
        } catch (InvalidRequest malformed) {
            return "?";
        }
    }
}
