package dev.smartflow.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code compliance:} section of the configuration file, with its environment variables on top.
 *
 * @param enabled        whether the pipeline stage scans calls ({@code enabled}, {@code SMARTFLOW_COMPLIANCE_ENABLED};
 *                       default true); the Compliance API runs either way
 * @param defaultPolicy  the policy of callers without one ({@code default_policy},
 *                       {@code SMARTFLOW_COMPLIANCE_DEFAULT_POLICY}; default {@code enterprise_standard}; {@code none}
 *                       scans only keys whose {@code compliance_policy} tag names a policy)
 * @param scanAnswers    whether answers are scanned ({@code scan_answers}, {@code SMARTFLOW_COMPLIANCE_SCAN_ANSWERS};
 *                       default true)
 * @param pseudonymKey   the secret pseudonyms derive from ({@code pseudonym_key},
 *                       {@code SMARTFLOW_COMPLIANCE_PSEUDONYM_KEY}); absent: a random one kept in the shared state
 * @param phoneRegions   regions national phone numbers with a trunk 0 are read in ({@code phone_regions},
 *                       {@code SMARTFLOW_COMPLIANCE_PHONE_REGIONS}, comma-separated)
 * @param learningDays   the behaviour layer's learning period ({@code learning_days},
 *                       {@code SMARTFLOW_COMPLIANCE_LEARNING_DAYS}; default 7)
 * @param ml             whether the intelligent scan's similarity layer runs ({@code ml},
 *                       {@code SMARTFLOW_COMPLIANCE_ML}; default true): it embeds with the cache module's shared
 *                       embedder ({@code cache.embedder}), loaded at the first intelligent scan
 */
public record ComplianceSettings(boolean enabled, String defaultPolicy, boolean scanAnswers,
                                 Optional<String> pseudonymKey, List<String> phoneRegions, int learningDays,
                                 boolean ml) {
    public static final List<String> DEFAULT_PHONE_REGIONS = List.of("GB", "DE", "FR", "IT", "ES", "NL", "AU", "IE",
            "IN");

    public ComplianceSettings {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        Objects.requireNonNull(pseudonymKey, "pseudonymKey");
        phoneRegions = List.copyOf(phoneRegions);
        if (learningDays < 1 || learningDays > 365) {
            throw new IllegalArgumentException("compliance.learning_days is 1 to 365, not " + learningDays);
        }
    }

    public static ComplianceSettings defaults() {
        return new ComplianceSettings(true, BuiltInPolicies.ENTERPRISE_STANDARD, true, Optional.empty(),
                DEFAULT_PHONE_REGIONS, 7, true);
    }

    /**
     * @throws IllegalArgumentException naming the setting when a value is malformed
     */
    public static ComplianceSettings load(JsonNode section, Map<String, String> env) {
        boolean enabled = bool(value(section, env, "enabled"), true, "enabled");
        String defaultPolicy = value(section, env, "default_policy").orElse(BuiltInPolicies.ENTERPRISE_STANDARD)
                .strip();
        boolean scanAnswers = bool(value(section, env, "scan_answers"), true, "scan_answers");
        Optional<String> key = value(section, env, "pseudonym_key").filter(k -> !k.isBlank());
        List<String> regions = DEFAULT_PHONE_REGIONS;
        String variable = env.get("SMARTFLOW_COMPLIANCE_PHONE_REGIONS");
        if (variable != null) {
            regions = List.of(variable.split(",")).stream().map(String::strip).filter(r -> !r.isEmpty())
                    .map(r -> r.toUpperCase(Locale.ROOT)).toList();
        } else if (section.path("phone_regions").isArray()) {
            List<String> listed = new ArrayList<>();
            section.path("phone_regions").forEach(r -> listed.add(r.asText().strip().toUpperCase(Locale.ROOT)));
            regions = listed;
        }
        int learningDays = value(section, env, "learning_days").map(v -> {
            try {
                return Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compliance.learning_days is a whole number of days, not '" + v
                        + "'");
            }
        }).orElse(7);
        boolean ml = bool(value(section, env, "ml"), true, "ml");
        return new ComplianceSettings(enabled, defaultPolicy, scanAnswers, key, regions, learningDays, ml);
    }

    private static Optional<String> value(JsonNode section, Map<String, String> env, String name) {
        String variable = env.get("SMARTFLOW_COMPLIANCE_" + name.toUpperCase(Locale.ROOT));
        if (variable != null) {
            return Optional.of(variable);
        }
        JsonNode node = section.path(name);
        return node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }

    private static boolean bool(Optional<String> value, boolean otherwise, String name) {
        if (value.isEmpty()) {
            return otherwise;
        }
        return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("compliance." + name + " is true or false, not '"
                    + value.get() + "'");
        };
    }

    /** Never the pseudonym key. */
    @Override
    public String toString() {
        return "ComplianceSettings[enabled=" + enabled + ", defaultPolicy=" + defaultPolicy + ", scanAnswers="
                + scanAnswers + ", pseudonymKey=" + (pseudonymKey.isPresent() ? "██" : "shared state")
                + ", phoneRegions=" + phoneRegions + ", learningDays=" + learningDays + ", ml=" + ml + "]";
    }
}
