package dev.smartflow.core.audit;

import dev.smartflow.core.exchange.Attribute;
import java.util.List;
import java.util.Objects;

/**
 * The facts the audit record has fields for, noted on the {@link Trail} by the stages that learn them: the cache
 * module notes how it answered a call, the compliance module what it thought of it.
 *
 * <pre>{@code
 * exchange.get(Trail.KEY).ifPresent(trail -> trail.note(Facts.CACHE_HIT, new Facts.CacheHit("semantic")));
 * }</pre>
 */
public final class Facts {
    /** The cache answered the call, by this tier or kind of match ({@code exact}, {@code semantic}, ...). */
    public static final Attribute<CacheHit> CACHE_HIT = Attribute.of("fact.cache-hit", CacheHit.class);
    /** The compliance scan's score (0 to 1) and flags ({@code pii.email}, ...). */
    public static final Attribute<Compliance> COMPLIANCE = Attribute.of("fact.compliance", Compliance.class);

    /**
     * What a module's call went to, in the record's provider and model fields: an MCP server and tool, an A2A agent
     * ({@code a2a} and the agent's id). A model call's provider attempt takes precedence.
     */
    public static final Attribute<Target> TARGET = Attribute.of("fact.target", Target.class);

    private Facts() {
    }

    public record CacheHit(String tier) {
        public CacheHit {
            Objects.requireNonNull(tier, "tier");
        }
    }

    public record Target(String provider, String model) {
        public Target {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(model, "model");
            if (provider.isBlank() || model.isBlank()) {
                throw new IllegalArgumentException("a target's provider and model are not blank");
            }
        }
    }

    public record Compliance(double score, List<String> flags) {
        public Compliance {
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException("a compliance score is finite: " + score);
            }
            flags = List.copyOf(flags);
        }
    }
}
