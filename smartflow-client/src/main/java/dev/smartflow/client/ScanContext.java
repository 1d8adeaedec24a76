package dev.smartflow.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a compliance scan is about: the user and organisation whose behavioural baselines it updates and compares
 * with, and the context the content comes from ({@code customer_support}...). All optional.
 */
public record ScanContext(Optional<String> userId, Optional<String> orgId, Optional<String> context) {
    public static final ScanContext NONE = new ScanContext(Optional.empty(), Optional.empty(), Optional.empty());

    public ScanContext {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(context, "context");
    }

    public static ScanContext of(String userId, String orgId) {
        return new ScanContext(Optional.ofNullable(userId), Optional.ofNullable(orgId), Optional.empty());
    }

    public ScanContext withContext(String value) {
        return new ScanContext(userId, orgId, Optional.of(value));
    }

    void writeTo(ObjectNode body) {
        userId.ifPresent(u -> body.put("user_id", u));
        orgId.ifPresent(o -> body.put("org_id", o));
        context.ifPresent(c -> body.put("context", c));
    }
}
