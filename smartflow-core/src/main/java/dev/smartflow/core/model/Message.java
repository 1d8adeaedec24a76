package dev.smartflow.core.model;

import java.util.Objects;

/**
 * A plain-text chat message. Richer messages (images, tool calls) are written as JSON with
 * {@link ChatRequest#fromJson}.
 */
public record Message(String role, String content) {
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }

    /** The role only: content is prompt text and stays out of logs. */
    @Override
    public String toString() {
        return "Message[" + role + ", " + content.length() + " chars]";
    }
}
