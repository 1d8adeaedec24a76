package dev.smartflow.client;

import java.util.Objects;

/**
 * A virtual key just created: its token, shown this once (keep it), and its id for the management API.
 * {@link #toString()} never shows the token.
 */
public record CreatedKey(String keyId, String token) {
    public CreatedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
        return "CreatedKey[keyId=" + keyId + ", token=██]";
    }
}
