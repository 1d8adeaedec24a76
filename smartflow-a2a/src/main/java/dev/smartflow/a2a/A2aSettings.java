package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code a2a:} section of the configuration file.
 *
 * @param encryptionKey  what seals the agents' credentials (else the master key; see {@link dev.smartflow.server.module.SecretBox})
 * @param publicUrl      the gateway's URL as agents' callers reach it, for rewritten cards (else the request's own)
 * @param cardTtl        how long a fetched agent card is served before it is fetched again
 * @param upstreamTimeout the longest wait for an agent's answer (for a stream: between two of its events)
 * @param statePrefix    what the shared-state keys and channels of the registry start with
 */
record A2aSettings(boolean enabled, Optional<String> encryptionKey, Optional<String> publicUrl, Duration cardTtl,
                   Duration upstreamTimeout, String statePrefix) {
    private static final Set<String> FIELDS = Set.of("enabled", "encryption_key", "public_url", "card_ttl_seconds",
            "upstream_timeout_seconds", "state_prefix");

    static A2aSettings defaults() {
        return new A2aSettings(true, Optional.empty(), Optional.empty(), Duration.ofMinutes(5), Duration.ofSeconds(60),
                "a2a:");
    }

    /**
     * @throws IllegalArgumentException naming the setting at fault
     */
    static A2aSettings from(JsonNode section) {
        A2aSettings defaults = defaults();
        if (section == null || section.isMissingNode() || section.isNull()) {
            return defaults;
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("a2a: must be a mapping");
        }
        section.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("a2a." + name + " is not a setting; expected one of "
                        + FIELDS.stream().sorted().toList());
            }
        });
        return new A2aSettings(section.path("enabled").asBoolean(true),
                text(section, "encryption_key"),
                text(section, "public_url").map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
                seconds(section, "card_ttl_seconds", defaults.cardTtl()),
                seconds(section, "upstream_timeout_seconds", defaults.upstreamTimeout()),
                section.path("state_prefix").asText(defaults.statePrefix()));
    }

    private static Optional<String> text(JsonNode section, String name) {
        return Optional.ofNullable(section.get(name)).map(JsonNode::asText).filter(s -> !s.isBlank());
    }

    private static Duration seconds(JsonNode section, String name, Duration fallback) {
        JsonNode value = section.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.canConvertToLong() || value.asLong() <= 0) {
            throw new IllegalArgumentException("a2a." + name + " must be a positive number of seconds");
        }
        return Duration.ofSeconds(value.asLong());
    }
}
