package dev.smartflow.mcp;

import dev.smartflow.providers.HttpTransport;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;

/**
 * One {@link Upstream} per registered server on this instance, made when first needed and dropped (its connections
 * closed, its processes stopped) when the server's registration changes or goes.
 *
 * <p>Thread-safe.
 */
final class Upstreams implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Upstreams.class.getName());

    private record Made(Registry.Entry entry, Upstream upstream) {
    }

    private final McpSettings settings;
    private final HttpTransport http;
    private final UpstreamSessions sessions;
    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final long maxBytes;
    private final BiConsumer<String, String> onNotification;
    private final Map<String, Made> made = new ConcurrentHashMap<>();

    /**
     * @param onNotification told of each notification an upstream sent (server id, method)
     */
    Upstreams(McpSettings settings, HttpTransport http, UpstreamSessions sessions, InstantSource clock,
              ScheduledExecutorService scheduler, long maxBytes, BiConsumer<String, String> onNotification) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = Objects.requireNonNull(http, "http");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.maxBytes = maxBytes;
        this.onNotification = Objects.requireNonNull(onNotification, "onNotification");
    }

    /** The upstream of {@code entry}, as registered now. */
    Upstream of(Registry.Entry entry) {
        Made current = made.get(entry.id());
        // the registry's snapshot hands out the same entry until it changes: identity first spares a deep comparison
        if (current != null && (current.entry() == entry || current.entry().equals(entry))) {
            return current.upstream();
        }
        Made fresh = made.compute(entry.id(), (id, existing) -> {
            if (existing != null && existing.entry().equals(entry)) {
                return existing;
            }
            if (existing != null) {
                close(existing);
            }
            return new Made(entry, create(entry));
        });
        return fresh.upstream();
    }

    /** Drops upstreams whose server is gone or changed; called after every registry change. */
    void retain(Registry registry) {
        for (Made existing : Map.copyOf(made).values()) {
            boolean same = registry.get(existing.entry().id()).map(existing.entry()::equals).orElse(false);
            if (!same && made.remove(existing.entry().id(), existing)) {
                close(existing);
            }
        }
    }

    private Upstream create(Registry.Entry entry) {
        ServerDefinition definition = entry.definition();
        String id = definition.id();
        UpstreamAuth auth = new UpstreamAuth(definition, entry.secrets(), http, clock, settings.upstreamTimeout());
        return switch (definition.transport()) {
            case ServerDefinition.Http h -> {
                SseUpstream sse = new SseUpstream(id, h.baseUrl(), auth, http, maxBytes, settings.sessionTtl(), clock,
                        method -> onNotification.accept(id, method));
                yield h.sse() ? sse : new TransportFallback(id, new HttpUpstream(id, h.baseUrl(), auth, http,
                        sessions, maxBytes, method -> onNotification.accept(id, method)), sse);
            }
            case ServerDefinition.Stdio s -> new StdioUpstream(id, s, entry.secrets().env(),
                    settings.stdioProcesses(), settings.stdioIdle(), maxBytes, clock, scheduler,
                    method -> onNotification.accept(id, method));
            case ServerDefinition.OpenApi o -> new OpenApiUpstream(definition, o, auth, http, maxBytes);
        };
    }

    private static void close(Made existing) {
        try {
            existing.upstream().close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the upstream of MCP server '" + existing.entry().id()
                    + "' failed", e);
        }
    }

    @Override
    public void close() {
        made.values().forEach(Upstreams::close);
        made.clear();
    }
}
