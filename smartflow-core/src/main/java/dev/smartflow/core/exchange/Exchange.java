package dev.smartflow.core.exchange;

import java.util.Objects;
import java.util.Optional;

/**
 * One call as it flows through the pipeline: immutable; a stage that changes something passes a copy on.
 *
 * @param id         identifies the call in headers, audit and logs
 * @param traceId    the W3C trace this call belongs to
 * @param operation  what the call asks for
 * @param principal  who is calling; {@link Principal#ANONYMOUS} until the authenticate stage runs
 * @param body       the caller's request body, every field kept
 * @param headers    the caller's request headers that stages may need (credentials, pass-through headers)
 * @param attributes values stages hand to later stages
 */
public record Exchange(RequestId id, TraceId traceId, Operation operation, Principal principal, Body body,
                       Headers headers, Attributes attributes) {
    public Exchange {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(attributes, "attributes");
    }

    /** A fresh exchange with new ids, anonymous, no attributes. */
    public static Exchange of(Operation operation, Body body, Headers headers) {
        return new Exchange(RequestId.random(), TraceId.random(), operation, Principal.ANONYMOUS, body, headers,
                Attributes.EMPTY);
    }

    public Exchange withBody(Body newBody) {
        return new Exchange(id, traceId, operation, principal, newBody, headers, attributes);
    }

    public Exchange withPrincipal(Principal newPrincipal) {
        return new Exchange(id, traceId, operation, newPrincipal, body, headers, attributes);
    }

    public Exchange withIds(RequestId newId, TraceId newTraceId) {
        return new Exchange(newId, newTraceId, operation, principal, body, headers, attributes);
    }

    public <T> Exchange with(Attribute<T> key, T value) {
        return new Exchange(id, traceId, operation, principal, body, headers, attributes.with(key, value));
    }

    public <T> Optional<T> get(Attribute<T> key) {
        return attributes.get(key);
    }

    /** True when the caller asked for the answer as a stream ({@code "stream": true}). */
    public boolean streaming() {
        return operation.streams() && body.flag("stream");
    }

    /** Ids and shape only: the body and credentials stay out of logs. */
    @Override
    public String toString() {
        return "Exchange[" + id + ", " + operation + ", " + principal.kind() + ":" + principal.id() + ", " + body + "]";
    }
}
