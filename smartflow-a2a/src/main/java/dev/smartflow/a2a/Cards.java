package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agent cards: fetched from the agent ({@code /.well-known/agent-card.json}, else the older
 * {@code /.well-known/agent.json}), kept for {@code a2a.card_ttl_seconds} by the injected clock (a card that cannot be
 * fetched again is served stale rather than not at all), read for the agent's interfaces, and shown to callers
 * rewritten to the gateway:
 * <ul>
 *   <li>interfaces: 1.0's {@code supportedInterfaces[].url}, 0.3's {@code url} and {@code additionalInterfaces[].url}
 *       become the gateway's {@code /a2a/{agent_id}}; interfaces the gateway does not relay (gRPC) are dropped;</li>
 *   <li>security: the agent's schemes and requirements are replaced by the gateway's key, an HTTP bearer scheme
 *       named {@code smartflow} (1.0: {@code securitySchemes} and {@code securityRequirements}; 0.3:
 *       {@code securitySchemes} and {@code security});</li>
 *   <li>signatures are removed (the rewritten card no longer matches them), and push notifications and the extended
 *       card are declared unsupported, since the gateway relays neither.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Cards {
    static final String BINDING_JSONRPC = "JSONRPC";
    static final String BINDING_REST = "HTTP+JSON";
    static final String SCHEME = "smartflow";
    private static final String[] PATHS = {"/.well-known/agent-card.json", "/.well-known/agent.json"};

    /** An interface of an agent: where it is, in which binding, speaking which revision. */
    record Interface(String binding, Wire.Version version, String url) {
    }

    private record Cached(ObjectNode card, Instant fetchedAt) {
    }

    private final Upstream upstream;
    private final InstantSource clock;
    private final java.time.Duration ttl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Cards(Upstream upstream, InstantSource clock, java.time.Duration ttl) {
        this.upstream = upstream;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Drops what is kept of an agent's card (it changed or left). */
    void forget(String agentId) {
        cache.remove(agentId);
    }

    /**
     * The agent's own card, from the cache while it is fresh.
     *
     * @throws A2aError when it cannot be fetched and none is kept
     */
    ObjectNode card(Agents.Entry entry) {
        Cached cached = cache.get(entry.id());
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.fetchedAt().plus(ttl))) {
            return cached.card();
        }
        try {
            ObjectNode card = fetch(entry);
            cache.put(entry.id(), new Cached(card, now));
            return card;
        } catch (A2aError e) {
            if (cached != null) {
                return cached.card();
            }
            throw e;
        }
    }

    private ObjectNode fetch(Agents.Entry entry) {
        A2aError last = null;
        for (String path : PATHS) {
            Upstream.Reply reply = upstream.exchange(Upstream.request(entry, entry.definition().url() + path,
                    Wire.Version.V1_0, Optional.empty()).header("Accept", "application/json").get().build(),
                    Optional.empty());
            if (reply.status() == 404) {
                last = A2aError.of(A2aError.UPSTREAM_FAILED, "the agent publishes no card at " + PATHS[0] + " or "
                        + PATHS[1]);
                continue;
            }
            if (reply.status() / 100 != 2) {
                throw A2aError.of(A2aError.UPSTREAM_FAILED, "the agent's card answered HTTP " + reply.status());
            }
            if (reply.json().isEmpty() || !reply.json().get().isObject()) {
                throw A2aError.of(A2aError.INVALID_AGENT_RESPONSE, "the agent's card is not a JSON object")
                        .withStatus(502);
            }
            return (ObjectNode) reply.json().get();
        }
        throw last;
    }

    /**
     * The agent's interfaces the gateway can relay, preferred first; {@code url} as a 1.0 JSON-RPC interface when the
     * card cannot be had or names none.
     */
    List<Interface> interfaces(Agents.Entry entry) {
        ObjectNode card;
        try {
            card = card(entry);
        } catch (A2aError e) {
            return List.of(new Interface(BINDING_JSONRPC, Wire.Version.V1_0, entry.definition().url()));
        }
        List<Interface> found = interfaces(card);
        return found.isEmpty() ? List.of(new Interface(BINDING_JSONRPC, Wire.Version.V1_0, entry.definition().url()))
                : found;
    }

    static List<Interface> interfaces(JsonNode card) {
        List<Interface> found = new ArrayList<>();
        if (card.path("supportedInterfaces").isArray()) {
            for (JsonNode iface : card.path("supportedInterfaces")) {
                add(found, iface.path("protocolBinding").asText(""), iface.path("protocolVersion").asText("1.0"),
                        iface.path("url").asText(""));
            }
            return found;
        }
        String version = card.path("protocolVersion").asText("0.3");
        add(found, card.path("preferredTransport").asText(BINDING_JSONRPC), version, card.path("url").asText(""));
        for (JsonNode iface : card.path("additionalInterfaces")) {
            add(found, iface.path("transport").asText(""), version, iface.path("url").asText(""));
        }
        return found;
    }

    private static void add(List<Interface> found, String binding, String version, String url) {
        String normalized = binding.toUpperCase(Locale.ROOT);
        if ("REST".equals(normalized) || "HTTP_JSON".equals(normalized)) {
            normalized = BINDING_REST;
        }
        if (url.isBlank() || !(normalized.equals(BINDING_JSONRPC) || normalized.equals(BINDING_REST))) {
            return;
        }
        Optional<Wire.Version> parsed = Wire.Version.parse(version);
        if (parsed.isEmpty()) {
            return;
        }
        Interface iface = new Interface(normalized, parsed.get(), url.endsWith("/") ? url.substring(0,
                url.length() - 1) : url);
        if (!found.contains(iface)) {
            found.add(iface);
        }
    }

    /** The card as callers of the gateway see it (see the class). */
    static ObjectNode rewrite(ObjectNode card, String gatewayUrl) {
        ObjectNode out = card.deepCopy();
        out.remove("signatures");
        ObjectNode capabilities = out.get("capabilities") instanceof ObjectNode c ? c : out.putObject("capabilities");
        capabilities.put("pushNotifications", false);
        if (out.has("supportedInterfaces")) {
            ArrayNode interfaces = Wire.NODES.arrayNode();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Interface iface : interfaces(card)) {
                if (seen.add(iface.binding() + " " + iface.version())) {
                    interfaces.addObject().put("url", gatewayUrl).put("protocolBinding", iface.binding())
                            .put("protocolVersion", iface.version().header);
                }
            }
            out.set("supportedInterfaces", interfaces);
            capabilities.put("extendedAgentCard", false);
            ObjectNode schemes = out.putObject("securitySchemes");
            schemes.putObject(SCHEME).putObject("httpAuthSecurityScheme").put("scheme", "Bearer")
                    .put("description", "a Smartflow virtual key");
            ArrayNode requirements = out.putArray("securityRequirements");
            requirements.addObject().putObject("schemes").putObject(SCHEME).putArray("list");
            return out;
        }
        out.put("url", gatewayUrl);
        String preferred = card.path("preferredTransport").asText(BINDING_JSONRPC).toUpperCase(Locale.ROOT);
        if (!preferred.equals(BINDING_JSONRPC) && !preferred.equals(BINDING_REST)) {
            out.put("preferredTransport", BINDING_JSONRPC);
        }
        if (card.has("additionalInterfaces")) {
            ArrayNode interfaces = out.putArray("additionalInterfaces");
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Interface iface : interfaces(card)) {
                if (seen.add(iface.binding())) {
                    interfaces.addObject().put("url", gatewayUrl).put("transport", iface.binding());
                }
            }
        }
        out.put("supportsAuthenticatedExtendedCard", false);
        ObjectNode schemes = out.putObject("securitySchemes");
        schemes.putObject(SCHEME).put("type", "http").put("scheme", "bearer")
                .put("description", "a Smartflow virtual key");
        out.putArray("security").addObject().putArray(SCHEME);
        return out;
    }
}
