package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A virtual key as {@link KeyStore} keeps it: who owns it, what it may call, and its limits. The token itself is shown
 * to its owner once and never stored; the store keeps only {@link #tokenHash()}, which authentication looks up.
 *
 * <pre>{@code
 * VirtualKey key = VirtualKey.builder(KeyId.of("key_1"), "team-a ci", "team-a", sha256Hex(token), clock.instant())
 *         .allowedProviders(Set.of("openai", "anthropic"))
 *         .budget(50_000_000, BudgetPeriod.MONTHLY)
 *         .rpmLimit(600)
 *         .build();
 * }</pre>
 *
 * <p>Times are kept to the microsecond (the resolution the SQL stores keep), so the constructor truncates them.
 * {@link #toString()} leaves the token hash out.
 *
 * @param id               the key's id
 * @param name             a human-readable name; not blank
 * @param ownerId          the user or team that owns the key; not blank
 * @param tokenHash        the hash of the token (e.g. hex SHA-256); not blank, unique within a store
 * @param allowedProviders the providers the key may call; empty means every provider
 * @param budgetMicros     the spend allowed per {@code period}, in micro-USD; empty means unlimited
 * @param period           how often the budget starts again
 * @param tpmLimit         tokens per minute; empty means unlimited
 * @param rpmLimit         requests per minute; empty means unlimited
 * @param tags             free-form labels, e.g. {@code env=prod}
 * @param active           false once the key is revoked
 * @param createdAt        when the key was made
 * @param lastUsed         when the key last authenticated a request; empty when never
 */
public record VirtualKey(KeyId id, String name, String ownerId, String tokenHash, Set<String> allowedProviders,
                         OptionalLong budgetMicros, BudgetPeriod period, OptionalLong tpmLimit, OptionalLong rpmLimit,
                         Map<String, String> tags, boolean active, Instant createdAt, Optional<Instant> lastUsed) {
    public VirtualKey {
        Objects.requireNonNull(id, "id");
        requireText(name, "name");
        requireText(ownerId, "ownerId");
        requireText(tokenHash, "tokenHash");
        allowedProviders = Set.copyOf(Objects.requireNonNull(allowedProviders, "allowedProviders"));
        requireNonNegative(budgetMicros, "budgetMicros");
        Objects.requireNonNull(period, "period");
        requireNonNegative(tpmLimit, "tpmLimit");
        requireNonNegative(rpmLimit, "rpmLimit");
        tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        lastUsed = Objects.requireNonNull(lastUsed, "lastUsed").map(t -> t.truncatedTo(ChronoUnit.MICROS));
    }

    /** A builder for an active key with no limits, every provider allowed, no tags, never used. */
    public static Builder builder(KeyId id, String name, String ownerId, String tokenHash, Instant createdAt) {
        return new Builder(id, name, ownerId, tokenHash, createdAt);
    }

    /** A builder holding this key's values. */
    public Builder toBuilder() {
        return new Builder(id, name, ownerId, tokenHash, createdAt)
                .allowedProviders(allowedProviders)
                .budgetMicros(budgetMicros)
                .period(period)
                .tpmLimit(tpmLimit)
                .rpmLimit(rpmLimit)
                .tags(tags)
                .active(active)
                .lastUsed(lastUsed);
    }

    /** The tag that names the fallback chain behind this key's plain models, like {@code org} and {@code team}. */
    public static final String FALLBACK_CHAIN_TAG = "fallback_chain";

    /** The chain a call on this key falls back to when its model fails: the {@value #FALLBACK_CHAIN_TAG} tag. */
    public Optional<String> fallbackChain() {
        return Optional.ofNullable(tags.get(FALLBACK_CHAIN_TAG));
    }

    /** This key, revoked. */
    public VirtualKey revoked() {
        return toBuilder().active(false).build();
    }

    /** This key, last used at {@code at}. */
    public VirtualKey withLastUsed(Instant at) {
        return toBuilder().lastUsed(Optional.of(at)).build();
    }

    @Override
    public String toString() {
        return "VirtualKey[id=" + id + ", name=" + name + ", ownerId=" + ownerId + ", allowedProviders="
                + allowedProviders + ", budgetMicros=" + budgetMicros + ", period=" + period + ", tpmLimit=" + tpmLimit
                + ", rpmLimit=" + rpmLimit + ", tags=" + tags + ", active=" + active + ", createdAt=" + createdAt
                + ", lastUsed=" + lastUsed + "]";
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
    }

    private static void requireNonNegative(OptionalLong value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isPresent() && value.getAsLong() < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value.getAsLong());
        }
    }

    /** Builds a {@link VirtualKey}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final KeyId id;
        private final String name;
        private final String ownerId;
        private final String tokenHash;
        private final Instant createdAt;
        private Set<String> allowedProviders = Set.of();
        private OptionalLong budgetMicros = OptionalLong.empty();
        private BudgetPeriod period = BudgetPeriod.MONTHLY;
        private OptionalLong tpmLimit = OptionalLong.empty();
        private OptionalLong rpmLimit = OptionalLong.empty();
        private Map<String, String> tags = Map.of();
        private boolean active = true;
        private Optional<Instant> lastUsed = Optional.empty();

        private Builder(KeyId id, String name, String ownerId, String tokenHash, Instant createdAt) {
            this.id = id;
            this.name = name;
            this.ownerId = ownerId;
            this.tokenHash = tokenHash;
            this.createdAt = createdAt;
        }

        public Builder allowedProviders(Set<String> providers) {
            this.allowedProviders = Objects.requireNonNull(providers, "allowedProviders");
            return this;
        }

        /** A budget of {@code micros} per {@code period}. */
        public Builder budget(long micros, BudgetPeriod period) {
            return budgetMicros(OptionalLong.of(micros)).period(period);
        }

        public Builder budgetMicros(OptionalLong micros) {
            this.budgetMicros = Objects.requireNonNull(micros, "budgetMicros");
            return this;
        }

        public Builder period(BudgetPeriod period) {
            this.period = Objects.requireNonNull(period, "period");
            return this;
        }

        public Builder tpmLimit(long limit) {
            return tpmLimit(OptionalLong.of(limit));
        }

        public Builder tpmLimit(OptionalLong limit) {
            this.tpmLimit = Objects.requireNonNull(limit, "tpmLimit");
            return this;
        }

        public Builder rpmLimit(long limit) {
            return rpmLimit(OptionalLong.of(limit));
        }

        public Builder rpmLimit(OptionalLong limit) {
            this.rpmLimit = Objects.requireNonNull(limit, "rpmLimit");
            return this;
        }

        public Builder tags(Map<String, String> tags) {
            this.tags = Objects.requireNonNull(tags, "tags");
            return this;
        }

        public Builder active(boolean active) {
            this.active = active;
            return this;
        }

        public Builder lastUsed(Optional<Instant> lastUsed) {
            this.lastUsed = Objects.requireNonNull(lastUsed, "lastUsed");
            return this;
        }

        /**
         * @throws NullPointerException     when a required value is missing
         * @throws IllegalArgumentException when a text is blank or a limit negative (the message names the field)
         */
        public VirtualKey build() {
            return new VirtualKey(id, name, ownerId, tokenHash, allowedProviders, budgetMicros, period, tpmLimit,
                    rpmLimit, tags, active, createdAt, lastUsed);
        }
    }
}
