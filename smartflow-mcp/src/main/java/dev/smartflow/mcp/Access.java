package dev.smartflow.mcp;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.server.module.LiveSnapshot;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Who may use which server and tool.
 *
 * <ul>
 *   <li><b>The server's lists</b> apply to everyone: when {@code allowed_tools} is not empty only its tools exist;
 *       {@code disallowed_tools} never exist.</li>
 *   <li><b>A virtual key</b> may use a server when its {@code mcp_servers} tag names it (or is {@code *}), or it holds
 *       a grant on it; it may use every tool of the server with the tag or a grant of every tool ({@code *}), else only
 *       the tools it was granted one by one. Its {@code mcp_disallowed_tools} tag ({@code server.tool} or
 *       {@code server.*}, comma-separated) takes tools away whatever else says. A key with neither tag nor grant sees
 *       no server: tools are closed by default, and opened by the tag at key creation or by an approved access
 *       request.</li>
 *   <li><b>The master key</b> may use every tool the server's lists leave.</li>
 *   <li><b>The caller's network:</b> a server with {@code available_on_public_internet: false} exists only for callers
 *       from {@code mcp.private_networks}.</li>
 * </ul>
 *
 * <p>Grants are read through a {@link LiveSnapshot}, so an approval or revocation on any instance applies at once
 * everywhere, and no call waits on the database. Thread-safe.
 */
final class Access implements AutoCloseable {
    static final String SERVERS_TAG = "mcp_servers";
    static final String DENIED_TAG = "mcp_disallowed_tools";

    private final McpStore store;
    private final Networks privateNetworks;
    private final LiveSnapshot<Map<KeyId, List<McpStore.Grant>>> grants;

    Access(McpStore store, Networks privateNetworks, SharedState state, String statePrefix, InstantSource clock,
           Executor reloads, Runnable onChange) {
        this.store = Objects.requireNonNull(store, "store");
        this.privateNetworks = Objects.requireNonNull(privateNetworks, "privateNetworks");
        this.grants = new LiveSnapshot<>(statePrefix, "grants", this::load, state, clock, reloads, onChange);
    }

    private Map<KeyId, List<McpStore.Grant>> load() {
        Map<KeyId, List<McpStore.Grant>> byKey = new HashMap<>();
        for (McpStore.Grant grant : store.grants()) {
            byKey.computeIfAbsent(grant.key(), k -> new ArrayList<>()).add(grant);
        }
        byKey.replaceAll((key, list) -> List.copyOf(list));
        return Map.copyOf(byKey);
    }

    /** Grants or revocations were written: every instance reloads. */
    void changed() {
        grants.changed();
    }

    /** Whether the caller at {@code address} may reach {@code server} at all. */
    boolean reachable(ServerDefinition server, String address) {
        return server.publicInternet() || privateNetworks.contains(address);
    }

    /** Whether {@code principal} may use the server (some tool of it, its prompts and resources). */
    boolean mayUseServer(Principal principal, ServerDefinition server) {
        if (principal.key().isEmpty()) {
            return principal.kind() == Principal.Kind.MASTER;
        }
        VirtualKey key = principal.key().get();
        return tagged(key, server.id()) || grantsOf(key).stream().anyMatch(g -> g.serverId().equals(server.id()));
    }

    /** Whether {@code tool} exists for callers of the server: its own lists. */
    static boolean exists(ServerDefinition server, String tool) {
        return (server.allowedTools().isEmpty() || server.allowedTools().contains(tool))
                && !server.disallowedTools().contains(tool);
    }

    /** Whether {@code principal} may see and call {@code tool} of {@code server}. */
    boolean mayUseTool(Principal principal, ServerDefinition server, String tool) {
        if (!exists(server, tool)) {
            return false;
        }
        if (principal.key().isEmpty()) {
            return principal.kind() == Principal.Kind.MASTER;
        }
        VirtualKey key = principal.key().get();
        if (denied(key, server.id(), tool)) {
            return false;
        }
        if (tagged(key, server.id())) {
            return true;
        }
        for (McpStore.Grant grant : grantsOf(key)) {
            if (grant.serverId().equals(server.id())
                    && (grant.tool().equals(McpStore.EVERY_TOOL) || grant.tool().equals(tool))) {
                return true;
            }
        }
        return false;
    }

    private List<McpStore.Grant> grantsOf(VirtualKey key) {
        return grants.get().getOrDefault(key.id(), List.of());
    }

    private static boolean tagged(VirtualKey key, String serverId) {
        Set<String> servers = list(key.tags().get(SERVERS_TAG));
        return servers.contains("*") || servers.contains(serverId);
    }

    private static boolean denied(VirtualKey key, String serverId, String tool) {
        Set<String> denied = list(key.tags().get(DENIED_TAG));
        return denied.contains(serverId + "." + tool) || denied.contains(serverId + ".*");
    }

    private static Set<String> list(String tag) {
        if (tag == null || tag.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(tag.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void close() {
        grants.close();
    }
}
