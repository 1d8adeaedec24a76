package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Cancellation;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One request to an upstream server, and for whom.
 *
 * @param owner        whose upstream session it runs in: a client session's id, or a caller of the stateless revision
 *                     ({@code key:...}); one owner's upstream session is never another's
 * @param method       the JSON-RPC method
 * @param params       its params, without the client's protocol fields ({@code _meta} of the 2026-07-28 revision)
 * @param toolSchema   for {@code tools/call}: the tool's input schema, whose {@code x-mcp-header} properties a modern
 *                     upstream gets as headers too
 * @param userToken    a user's OAuth access token for a server that authorizes per user
 * @param traceparent  the call's W3C trace, passed on in {@code _meta}
 * @param cancellation cancels the upstream call when the client goes away or cancels the request
 * @param listener     told of the notifications the upstream sends about this call while it runs (progress with the
 *                     call's progress token, log messages), for a client that asked for them
 */
record UpstreamCall(String owner, String method, ObjectNode params, Optional<ObjectNode> toolSchema,
                    Optional<String> userToken, Optional<String> traceparent, Optional<Cancellation> cancellation,
                    Duration timeout, Optional<Consumer<ObjectNode>> listener) {
    UpstreamCall {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(toolSchema, "toolSchema");
        Objects.requireNonNull(userToken, "userToken");
        Objects.requireNonNull(traceparent, "traceparent");
        Objects.requireNonNull(cancellation, "cancellation");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(listener, "listener");
    }

    /** A call of the gateway's own (reading a catalog), with no client behind it. */
    static UpstreamCall own(String owner, String method, ObjectNode params, Duration timeout) {
        return new UpstreamCall(owner, method, params, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), timeout, Optional.empty());
    }

    UpstreamCall withMethod(String newMethod, ObjectNode newParams) {
        return new UpstreamCall(owner, newMethod, newParams, Optional.empty(), userToken, traceparent, cancellation,
                timeout, Optional.empty());
    }

    /** Tells the call's listener, if any, of a notification the upstream sent about it. */
    void tell(ObjectNode notification) {
        listener.ifPresent(l -> l.accept(notification));
    }

    /** The progress token the call carries in {@code _meta}, if any. */
    Optional<String> progressToken() {
        JsonNode token = params.path("_meta").path("progressToken");
        return token.isTextual() || token.isNumber() ? Optional.of(token.asText()) : Optional.empty();
    }
}
