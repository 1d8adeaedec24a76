package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code mcp:} section of the configuration file. Every setting has a default, so a file without the section
 * runs the gateway as documented in the README.
 *
 * @param enabled            {@code enabled}: false leaves the module out (no routes, no stages)
 * @param encryptionKey      {@code encryption_key}: what seals stored credentials; absent means derived from the
 *                           master key
 * @param privateNetworks    {@code private_networks}: CIDR blocks whose callers may use servers not available on the
 *                           public internet (default: loopback, RFC 1918, link-local, unique local)
 * @param trustForwardedFor  {@code trust_forwarded_for}: take the caller's address from {@code X-Forwarded-For}'s
 *                           first entry (behind a reverse proxy that sets it)
 * @param allowedOrigins     {@code allowed_origins}: browser origins allowed besides the gateway's own host
 * @param sessionTtl         {@code session_ttl_seconds}: how long an idle client session lives
 * @param upstreamTimeout    {@code upstream_timeout_seconds}: the longest wait for an upstream answer
 * @param catalogRefresh     {@code catalog_refresh_seconds}: how often each server's tool list is read again
 * @param stdioProcesses     {@code stdio.max_processes}: the most stdio processes one server runs on one instance
 * @param stdioIdle          {@code stdio.idle_seconds}: a stdio process nobody used for this long is stopped
 * @param publicUrl          {@code public_url}: the gateway's address as browsers reach it (for OAuth redirects),
 *                           e.g. {@code https://gateway.example.com}; absent means the request's own host
 * @param statePrefix        {@code state_prefix}: what the gateway's keys and channels in the shared state start with
 *                           (default {@code mcp:}); deployments that share one Redis give each its own
 */
record McpSettings(boolean enabled, Optional<String> encryptionKey, List<String> privateNetworks,
                   boolean trustForwardedFor, Set<String> allowedOrigins, Duration sessionTtl,
                   Duration upstreamTimeout, Duration catalogRefresh, int stdioProcesses, Duration stdioIdle,
                   Optional<String> publicUrl, String statePrefix) {
    static final List<String> DEFAULT_PRIVATE_NETWORKS = List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8",
            "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fe80::/10", "fc00::/7");
    private static final Set<String> FIELDS = Set.of("enabled", "encryption_key", "private_networks",
            "trust_forwarded_for", "allowed_origins", "session_ttl_seconds", "upstream_timeout_seconds",
            "catalog_refresh_seconds", "stdio", "public_url", "state_prefix");

    McpSettings {
        Objects.requireNonNull(encryptionKey, "encryptionKey");
        privateNetworks = List.copyOf(privateNetworks);
        allowedOrigins = Set.copyOf(allowedOrigins);
        Objects.requireNonNull(sessionTtl, "sessionTtl");
        Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        Objects.requireNonNull(catalogRefresh, "catalogRefresh");
        Objects.requireNonNull(stdioIdle, "stdioIdle");
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(statePrefix, "statePrefix");
    }

    static McpSettings defaults() {
        return new McpSettings(true, Optional.empty(), DEFAULT_PRIVATE_NETWORKS, false, Set.of(),
                Duration.ofHours(1), Duration.ofSeconds(60), Duration.ofMinutes(5), 16, Duration.ofMinutes(5), Optional.empty(),
                "mcp:");
    }

    /**
     * @throws IllegalArgumentException naming the setting at fault
     */
    static McpSettings from(JsonNode section) {
        McpSettings defaults = defaults();
        if (section == null || section.isMissingNode() || section.isNull()) {
            return defaults;
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("mcp: must be a mapping");
        }
        section.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("mcp." + name + " is not a setting; expected one of "
                        + FIELDS.stream().sorted().toList());
            }
        });
        JsonNode stdio = section.path("stdio");
        List<String> networks = section.has("private_networks") ? strings(section.get("private_networks"),
                "mcp.private_networks") : defaults.privateNetworks();
        networks.forEach(cidr -> Networks.parse(cidr, "mcp.private_networks"));
        return new McpSettings(
                section.path("enabled").asBoolean(true),
                Optional.ofNullable(section.get("encryption_key")).map(JsonNode::asText).filter(s -> !s.isBlank()),
                networks,
                section.path("trust_forwarded_for").asBoolean(false),
                Set.copyOf(section.has("allowed_origins") ? strings(section.get("allowed_origins"),
                        "mcp.allowed_origins") : List.of()),
                seconds(section, "session_ttl_seconds", defaults.sessionTtl()),
                seconds(section, "upstream_timeout_seconds", defaults.upstreamTimeout()),
                seconds(section, "catalog_refresh_seconds", defaults.catalogRefresh()),
                positive(stdio.path("max_processes").asInt(defaults.stdioProcesses()), "mcp.stdio.max_processes"),
                seconds(stdio, "idle_seconds", defaults.stdioIdle()),
                Optional.ofNullable(section.get("public_url")).map(JsonNode::asText).filter(s -> !s.isBlank()),
                section.path("state_prefix").asText(defaults.statePrefix()));
    }

    private static List<String> strings(JsonNode node, String name) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(name + " must be a list");
        }
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return List.copyOf(values);
    }

    private static Duration seconds(JsonNode section, String name, Duration fallback) {
        JsonNode value = section.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToLong() || value.asLong() < 1) {
            throw new IllegalArgumentException("mcp." + name + " must be a whole number of seconds, at least 1");
        }
        return Duration.ofSeconds(value.asLong());
    }

    private static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return value;
    }
}
