package dev.smartflow.compliance.redact;

import java.util.Objects;
import java.util.Optional;

/**
 * Puts pseudonymised values back into an answer, whole ({@link #restoreAll}) or as it streams ({@link #push}): a
 * placeholder split across chunks ({@code "[EMAIL_K7"} then {@code "Q2M9XA]"}) is still restored, and no more is held
 * back than could be the start of a placeholder: from its {@code [} on, and only while every character after it could
 * still belong to one. Placeholders the vault does not know (the model made one up) are left as they are.
 *
 * <p>Not thread-safe: one per streamed text.
 */
public final class Restorer {
    private final Vault vault;
    private final StringBuilder held = new StringBuilder();

    public Restorer(Vault vault) {
        this.vault = Objects.requireNonNull(vault, "vault");
    }

    /** {@code text} with every placeholder the vault knows replaced by its value. */
    public static String restoreAll(String text, Vault vault) {
        if (vault.isEmpty() || text.indexOf('[') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        int open;
        while ((open = text.indexOf('[', at)) >= 0) {
            int close = placeholderEnd(text, open);
            Optional<String> value = close < 0 ? Optional.empty() : vault.value(text.substring(open, close));
            if (value.isPresent()) {
                out.append(text, at, open).append(value.get());
                at = close;
            } else {
                out.append(text, at, open + 1);
                at = open + 1;
            }
        }
        return out.append(text, at, text.length()).toString();
    }

    /** The next piece of the stream; returns what can be shown now, values restored. */
    public String push(String chunk) {
        if (vault.isEmpty() && held.isEmpty()) {
            return chunk;
        }
        held.append(chunk);
        int keepFrom = possiblePlaceholderStart(held);
        String ready = held.substring(0, keepFrom);
        held.delete(0, keepFrom);
        return restoreAll(ready, vault);
    }

    /** The end of the stream: whatever was held back, restored where complete. */
    public String flush() {
        String rest = held.toString();
        held.setLength(0);
        return restoreAll(rest, vault);
    }

    /** Characters held back, waiting for the rest of a possible placeholder. */
    public int holding() {
        return held.length();
    }

    /** Where a placeholder that the next chunk may complete begins, or the length when none can. */
    static int possiblePlaceholderStart(CharSequence text) {
        int length = text.length();
        int from = Math.max(0, length - Pseudonymizer.MAX_LENGTH + 1);
        for (int i = length - 1; i >= from; i--) {
            if (text.charAt(i) == '[') {
                for (int k = i + 1; k < length; k++) {
                    if (!Pseudonymizer.placeholderChar(text.charAt(k))) {
                        return length;
                    }
                }
                return i;
            }
        }
        return length;
    }

    /** The index after the {@code ]} of a placeholder starting at {@code open}, or -1. */
    private static int placeholderEnd(String text, int open) {
        int limit = Math.min(text.length(), open + Pseudonymizer.MAX_LENGTH);
        for (int k = open + 1; k < limit; k++) {
            char c = text.charAt(k);
            if (c == ']') {
                return k + 1;
            }
            if (!Pseudonymizer.placeholderChar(c)) {
                return -1;
            }
        }
        return -1;
    }
}
