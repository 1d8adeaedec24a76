package dev.smartflow.mcp;

import java.util.List;
import java.util.Optional;

/**
 * The MCP revisions the gateway speaks, to clients and to upstream servers. {@link #V2025_03_26} to
 * {@link #V2025_11_25} are the "legacy" era: an {@code initialize} handshake, sessions by {@code Mcp-Session-Id}.
 * {@link #V2026_07_28} is the "modern" era: no handshake or session; every request carries its version and the
 * client's capabilities in {@code _meta}. {@link #V2024_11_05} is spoken only to upstreams on the deprecated HTTP+SSE
 * transport ({@link SseUpstream}); clients are served the newer revisions.
 */
enum ProtocolVersion {
    V2024_11_05("2024-11-05"),
    V2025_03_26("2025-03-26"),
    V2025_06_18("2025-06-18"),
    V2025_11_25("2025-11-25"),
    V2026_07_28("2026-07-28");

    /** What a legacy client that names no version is taken to speak (the transport's own rule). */
    static final ProtocolVersion UNNAMED = V2025_03_26;
    static final ProtocolVersion LATEST_LEGACY = V2025_11_25;
    static final ProtocolVersion MODERN = V2026_07_28;

    private final String id;

    ProtocolVersion(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    boolean modern() {
        return this == V2026_07_28;
    }

    /** Whether requests carry {@code MCP-Protocol-Version} (from 2025-06-18). */
    boolean hasVersionHeader() {
        return this != V2025_03_26 && this != V2024_11_05;
    }

    /** Whether the gateway serves clients in this revision (2024-11-05 it only speaks to HTTP+SSE upstreams). */
    boolean served() {
        return this != V2024_11_05;
    }

    static Optional<ProtocolVersion> parse(String id) {
        for (ProtocolVersion version : values()) {
            if (version.id.equals(id)) {
                return Optional.of(version);
            }
        }
        return Optional.empty();
    }

    static List<String> legacyIds() {
        return List.of(V2025_11_25.id, V2025_06_18.id, V2025_03_26.id);
    }

    /** Every version, newest first, as an {@code UnsupportedProtocolVersionError} lists them. */
    static List<String> allIds() {
        return List.of(V2026_07_28.id, V2025_11_25.id, V2025_06_18.id, V2025_03_26.id);
    }
}
