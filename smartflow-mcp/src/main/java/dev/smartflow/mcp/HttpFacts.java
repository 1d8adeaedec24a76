package dev.smartflow.mcp;

import dev.smartflow.core.exchange.Attribute;
import io.javalin.http.Context;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the MCP endpoint needs of the HTTP request beyond its body: the method, which endpoint (one server's or the
 * aggregate), the MCP headers, {@code Accept}, {@code Origin} and {@code Host}, and the caller's address.
 *
 * @param serverId the server of a per-server endpoint; empty for the aggregate {@code /mcp}
 * @param headers  the request headers the endpoint reads, by lower-case name
 * @param address  the caller's IP address (the first {@code X-Forwarded-For} entry when that is trusted)
 */
record HttpFacts(String method, Optional<String> serverId, Map<String, String> headers, String address) {
    static final Attribute<HttpFacts> KEY = Attribute.of("mcp-http", HttpFacts.class);
    private static final int MAX_HEADER = 8 * 1024;

    HttpFacts {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(serverId, "serverId");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(address, "address");
    }

    /** Reads the request: the {@code mcp-*} headers and the few others the endpoint needs. */
    static HttpFacts of(Context ctx, Optional<String> serverId, boolean trustForwardedFor) {
        Map<String, String> headers = new HashMap<>();
        Enumeration<String> names = ctx.req().getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("mcp-") || lower.equals("accept") || lower.equals("origin") || lower.equals("host")
                    || lower.equals("last-event-id")) {
                String value = ctx.req().getHeader(name);
                if (value != null && value.length() <= MAX_HEADER) {
                    headers.put(lower, value);
                }
            }
        }
        String address = ctx.req().getRemoteAddr();
        if (trustForwardedFor) {
            String forwarded = ctx.req().getHeader("x-forwarded-for");
            if (forwarded != null && !forwarded.isBlank()) {
                address = forwarded.split(",")[0].strip();
            }
        }
        return new HttpFacts(ctx.req().getMethod(), serverId, headers, address == null ? "" : address);
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The endpoint's name in sessions and logs: the server's id, or {@code *} for the aggregate endpoint. */
    String endpoint() {
        return serverId.orElse("*");
    }

    /** Whether the client takes SSE answers at all (so notifications may come before the response). */
    boolean acceptsEventStream() {
        return header("accept").orElse("").toLowerCase(Locale.ROOT).contains("text/event-stream");
    }

    /** Whether the client takes only SSE, so that even a single answer must be an event stream. */
    boolean wantsEventStream() {
        String accept = header("accept").orElse("").toLowerCase(Locale.ROOT);
        return accept.contains("text/event-stream") && !accept.contains("application/json")
                && !accept.contains("*/*") && !accept.contains("application/*");
    }
}
