package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * One registered server as the gateway speaks to it, in the revision that server supports: a Streamable HTTP server
 * ({@link HttpUpstream}), a process on stdio ({@link StdioUpstream}) or the HTTP operations of an OpenAPI spec
 * ({@link OpenApiUpstream}). To the client the gateway is an MCP server; here it is the client.
 *
 * <p>Thread-safe. Calls block (on virtual threads) until the upstream answers, fails, or the call's deadline passes.
 */
interface Upstream extends AutoCloseable {
    /**
     * Sends one request and returns the upstream's JSON-RPC response: an object with {@code result} or
     * {@code error}, its id the gateway's own.
     *
     * @throws RpcError {@link RpcError#UPSTREAM_FAILED} or {@link RpcError#UPSTREAM_TIMEOUT} when no usable answer
     *                  came
     */
    ObjectNode request(UpstreamCall call);

    /** What the upstream said of itself when the gateway last met it (its version, capabilities, identity). */
    ServerFacts facts(UpstreamCall call);

    /**
     * Keeps open whatever carries the upstream's unsolicited messages in {@code call}'s owner's session (the GET stream
     * of a Streamable HTTP server, the SSE stream of an HTTP+SSE server, a stdio process's output) and hands each
     * {@code notifications/resources/updated} that arrives on it to {@code sink}, until the owner is
     * {@linkplain #release released} or {@link #unwatch unwatched}. A transport without such messages does nothing.
     */
    default void watch(UpstreamCall call, Consumer<ObjectNode> sink) {
    }

    /** The owner no longer needs resource updates: drop its sink (and the stream kept for it only). */
    default void unwatch(String owner) {
    }

    /** The client that owned {@code owner}'s upstream session is gone: end that session upstream. */
    void release(String owner);

    @Override
    void close();
}
