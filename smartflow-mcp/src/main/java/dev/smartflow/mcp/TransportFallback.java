package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A server registered at a {@code base_url} without a transport named: Streamable HTTP, unless the server refuses
 * the POST of {@code initialize} with a 4xx, in which case the gateway tries the deprecated HTTP+SSE transport
 * (a {@code GET} expecting an {@code endpoint} event), as the specification's backwards-compatibility section asks of
 * clients. The choice is made once, at the first meeting, and kept until the registration changes; a server that
 * answers neither way keeps the Streamable HTTP error.
 *
 * <p>Thread-safe.
 */
final class TransportFallback implements Upstream {
    private static final System.Logger LOG = System.getLogger(TransportFallback.class.getName());

    private final String serverId;
    private final HttpUpstream streamable;
    private final SseUpstream sse;
    private final ReentrantLock deciding = new ReentrantLock();
    private volatile Optional<Upstream> chosen = Optional.empty();

    TransportFallback(String serverId, HttpUpstream streamable, SseUpstream sse) {
        this.serverId = Objects.requireNonNull(serverId, "serverId");
        this.streamable = Objects.requireNonNull(streamable, "streamable");
        this.sse = Objects.requireNonNull(sse, "sse");
    }

    @Override
    public ObjectNode request(UpstreamCall call) {
        return choose(call).request(call);
    }

    @Override
    public ServerFacts facts(UpstreamCall call) {
        return choose(call).facts(call);
    }

    /** Which transport the server speaks: tried once, Streamable HTTP first. */
    private Upstream choose(UpstreamCall call) {
        Optional<Upstream> known = chosen;
        if (known.isPresent()) {
            return known.get();
        }
        deciding.lock();
        try {
            if (chosen.isPresent()) {
                return chosen.get();
            }
            try {
                streamable.facts(call);
                chosen = Optional.of(streamable);
            } catch (RpcError e) {
                if (!refusedPost(e)) {
                    throw e;
                }
                try {
                    sse.facts(call);
                } catch (RpcError notSse) {
                    LOG.log(System.Logger.Level.DEBUG, () -> serverId + " is not an HTTP+SSE server either: "
                            + notSse.getMessage());
                    throw e;
                }
                LOG.log(System.Logger.Level.INFO, "MCP server '" + serverId + "' speaks the deprecated HTTP+SSE "
                        + "transport (it refused a Streamable HTTP POST: " + e.reason() + ")");
                chosen = Optional.of(sse);
            }
            return chosen.get();
        } finally {
            deciding.unlock();
        }
    }

    /** A 4xx answer to the POST, as an HTTP+SSE server gives one (405, 404, 400 ...). */
    private static boolean refusedPost(RpcError e) {
        return e.reason().startsWith("upstream_http_4");
    }

    @Override
    public void watch(UpstreamCall call, Consumer<ObjectNode> sink) {
        choose(call).watch(call, sink);
    }

    @Override
    public void unwatch(String owner) {
        chosen.ifPresent(upstream -> upstream.unwatch(owner));
    }

    @Override
    public void release(String owner) {
        chosen.ifPresent(upstream -> upstream.release(owner));
    }

    @Override
    public void close() {
        streamable.close();
        sse.close();
    }
}
