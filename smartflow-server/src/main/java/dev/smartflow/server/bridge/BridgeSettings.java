package dev.smartflow.server.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The hybrid bridge's settings, from the {@code bridge:} section of the configuration file.
 *
 * @param retention  how many of its latest audit records each instance keeps in the shared state
 *                   ({@code bridge.retention}, default {@value #DEFAULT_RETENTION}; 0 publishes none)
 * @param ttl        how long an instance's records outlive its last publication ({@code bridge.ttl}, default 24h)
 * @param cluster    the name instances that read each other's records share ({@code bridge.cluster}, default
 *                   {@code default}); instances on one Redis with other names do not see each other
 * @param instanceId this instance's name in the merged log ({@code bridge.instance_id}; default host, process id and
 *                   a random suffix)
 */
public record BridgeSettings(int retention, Duration ttl, String cluster, String instanceId) {
    public static final int DEFAULT_RETENTION = 1_000;
    public static final int MAX_RETENTION = 100_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public BridgeSettings {
        if (retention < 0 || retention > MAX_RETENTION) {
            throw new IllegalArgumentException("bridge.retention must be within 0.." + MAX_RETENTION + ", not "
                    + retention);
        }
        if (Objects.requireNonNull(ttl, "ttl").isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("bridge.ttl must be positive");
        }
        requireName(cluster, "bridge.cluster");
        requireName(instanceId, "bridge.instance_id");
    }

    /** The settings of {@code section} (a missing section means every default). */
    public static BridgeSettings load(JsonNode section) {
        int retention = section.path("retention").isMissingNode() ? DEFAULT_RETENTION
                : section.path("retention").asInt(-1);
        Duration ttl = Duration.ofHours(24);
        if (section.path("ttl").isTextual()) {
            ttl = duration(section.path("ttl").asText());
        }
        String cluster = section.path("cluster").asText("default");
        String instance = section.path("instance_id").isTextual() ? section.path("instance_id").asText()
                : defaultInstanceId();
        return new BridgeSettings(retention, ttl, cluster, instance);
    }

    private static Duration duration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.parse(text.strip());
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("bridge.ttl must be a duration such as 24h, 30m or 90s, not '"
                    + text + "'");
        }
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "host";
        }
        byte[] suffix = new byte[2];
        new SecureRandom().nextBytes(suffix);
        String id = host.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + ManagementFactory.getRuntimeMXBean().getPid()
                + "-" + HexFormat.of().formatHex(suffix);
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }

    private static void requireName(String value, String name) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }
}
