package dev.smartflow.core.spi;

import dev.smartflow.core.routing.AttemptOutcome;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One served request as the audit log keeps it: who called, where it went, what it cost, whether the cache answered,
 * what compliance thought of it, and how it ended. Never the prompt or the completion.
 *
 * <pre>{@code
 * AuditRecord record = AuditRecord.builder("req-1", clock.instant(), "/v1/chat/completions", "openai", "gpt-4o")
 *         .keyId(KeyId.of("key_1"))
 *         .tokens(120, 48)
 *         .costMicros(1_830)
 *         .latencyMicros(412_000)
 *         .status(200)
 *         .build();
 * }</pre>
 *
 * <p>The timestamp is kept to the microsecond (the resolution the SQL stores keep), so the constructor truncates it.
 *
 * <p><b>Text every store can hold.</b> The constructor makes every text component (ids, route, provider, model, hit
 * type, flags, error) storable alike by every {@link AuditLog}, so that a record reads back the same from memory, H2
 * and PostgreSQL, and no value of a caller's (the body's {@code user} field) can make a store refuse it:
 * <ul>
 *   <li>U+0000, which PostgreSQL text cannot hold, becomes U+FFFD (the replacement character);</li>
 *   <li>a lone surrogate (invalid UTF-16, e.g. what JSON's {@code "\ud800"} decodes to, which UTF-8 cannot encode)
 *       becomes U+FFFD; a valid surrogate pair (an emoji) is kept;</li>
 *   <li>text longer than {@value #MAX_TEXT} characters is cut to {@value #MAX_TEXT} {@code - 1} and ends with
 *       U+2026 ({@code …}), never inside a surrogate pair: small enough for any index entry (PostgreSQL's B-tree
 *       refuses entries over about 2,700 bytes).</li>
 * </ul>
 * Text that needs none of this (nearly all) is kept as it is, without a copy.
 *
 * @param requestId        the request's id; unique in the log, so a retried batch never duplicates a record
 * @param timestamp        when the request arrived
 * @param keyId            the virtual key that called; empty for the master key or an embedded caller
 * @param userId           the end user, when known
 * @param orgId            the organisation, when known
 * @param teamId           the team, when known
 * @param route            the route served, e.g. {@code /v1/chat/completions}; not blank
 * @param provider         the provider that answered (or last failed); not blank
 * @param model            the model that served the call (as its provider knows it), or the model asked for when no
 *                         provider was reached; not blank
 * @param promptTokens     tokens in; not negative
 * @param completionTokens tokens out; not negative
 * @param costMicros       what the request cost, in micro-USD; not negative
 * @param cached           whether the cache answered
 * @param hitType          how the cache answered (e.g. {@code exact}, {@code semantic}); empty on a miss
 * @param complianceScore  the compliance scan's score, when a scan ran
 * @param complianceFlags  what the compliance scan flagged, e.g. {@code pii.email}
 * @param latencyMicros    time to the last byte, in microseconds; not negative
 * @param status           the HTTP status answered (100..599)
 * @param error            the error type when the request failed
 * @param attempts         the provider attempts the call made, in order, each with its outcome; empty when no
 *                         provider was tried
 * @param traceId          the run the call belongs to ({@code x-a2a-trace-id} or {@code traceparent}); empty for
 *                         records made before traces were recorded
 */
public record AuditRecord(String requestId, Instant timestamp, Optional<KeyId> keyId, Optional<String> userId,
                          Optional<String> orgId, Optional<String> teamId, String route, String provider, String model,
                          long promptTokens, long completionTokens, long costMicros, boolean cached,
                          Optional<String> hitType, OptionalDouble complianceScore, List<String> complianceFlags,
                          long latencyMicros, int status, Optional<String> error, List<AttemptOutcome> attempts,
                          Optional<String> traceId) {
    /** The most characters a text component keeps (see the class). */
    public static final int MAX_TEXT = 512;
    private static final char REPLACEMENT = '\uFFFD';
    private static final char CUT = '\u2026';

    public AuditRecord {
        requestId = storable(requireText(requestId, "requestId"));
        timestamp = Objects.requireNonNull(timestamp, "timestamp").truncatedTo(ChronoUnit.MICROS);
        keyId = storableKey(Objects.requireNonNull(keyId, "keyId"));
        userId = storable(Objects.requireNonNull(userId, "userId"));
        orgId = storable(Objects.requireNonNull(orgId, "orgId"));
        teamId = storable(Objects.requireNonNull(teamId, "teamId"));
        route = storable(requireText(route, "route"));
        provider = storable(requireText(provider, "provider"));
        model = storable(requireText(model, "model"));
        requireNonNegative(promptTokens, "promptTokens");
        requireNonNegative(completionTokens, "completionTokens");
        requireNonNegative(costMicros, "costMicros");
        hitType = storable(Objects.requireNonNull(hitType, "hitType"));
        Objects.requireNonNull(complianceScore, "complianceScore");
        if (complianceScore.isPresent() && !Double.isFinite(complianceScore.getAsDouble())) {
            throw new IllegalArgumentException("complianceScore is not finite: " + complianceScore.getAsDouble());
        }
        complianceFlags = storable(Objects.requireNonNull(complianceFlags, "complianceFlags"));
        requireNonNegative(latencyMicros, "latencyMicros");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status is not an HTTP status: " + status);
        }
        error = storable(Objects.requireNonNull(error, "error"));
        attempts = List.copyOf(Objects.requireNonNull(attempts, "attempts"));
        traceId = storable(Objects.requireNonNull(traceId, "traceId"));
    }

    /** A builder for a successful (200), uncached request with no tokens, cost, latency or compliance figures. */
    public static Builder builder(String requestId, Instant timestamp, String route, String provider, String model) {
        return new Builder(requestId, timestamp, route, provider, model);
    }

    /** Whether the request failed: a status of 400 or above. */
    public boolean failed() {
        return status >= 400;
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }

    static Optional<KeyId> storableKey(Optional<KeyId> id) {
        return id.isEmpty() || isStorable(id.get().value()) ? id : Optional.of(KeyId.of(storable(id.get().value())));
    }

    static Optional<String> storable(Optional<String> text) {
        return text.isEmpty() || isStorable(text.get()) ? text : Optional.of(storable(text.get()));
    }

    private static List<String> storable(List<String> flags) {
        List<String> copy = List.copyOf(flags);
        for (String flag : copy) {
            if (!isStorable(flag)) {
                return copy.stream().map(AuditRecord::storable).toList();
            }
        }
        return copy;
    }

    /** The text as every store holds it (see the class); the same instance when it needs no change. */
    private static String storable(String text) {
        if (isStorable(text)) {
            return text;
        }
        int length = text.length();
        boolean cut = length > MAX_TEXT;
        int room = cut ? MAX_TEXT - 1 : length;
        StringBuilder kept = new StringBuilder(Math.min(length, MAX_TEXT));
        for (int i = 0; i < length && kept.length() < room; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (kept.length() + 2 > room) {
                    break;
                }
                kept.append(c).append(text.charAt(++i));
            } else {
                kept.append(c == 0 || Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return cut ? kept.append(CUT).toString() : kept.toString();
    }

    /** No NUL, no surrogate (paired or not: pairs are rare, and the slow path keeps them) and not too long. */
    private static boolean isStorable(String text) {
        int length = text.length();
        if (length > MAX_TEXT) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == 0 || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static void requireNonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
    }

    /** Builds an {@link AuditRecord}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String requestId;
        private final Instant timestamp;
        private final String route;
        private final String provider;
        private final String model;
        private Optional<KeyId> keyId = Optional.empty();
        private Optional<String> userId = Optional.empty();
        private Optional<String> orgId = Optional.empty();
        private Optional<String> teamId = Optional.empty();
        private long promptTokens;
        private long completionTokens;
        private long costMicros;
        private boolean cached;
        private Optional<String> hitType = Optional.empty();
        private OptionalDouble complianceScore = OptionalDouble.empty();
        private List<String> complianceFlags = List.of();
        private long latencyMicros;
        private int status = 200;
        private Optional<String> error = Optional.empty();
        private List<AttemptOutcome> attempts = List.of();
        private Optional<String> traceId = Optional.empty();

        private Builder(String requestId, Instant timestamp, String route, String provider, String model) {
            this.requestId = requestId;
            this.timestamp = timestamp;
            this.route = route;
            this.provider = provider;
            this.model = model;
        }

        public Builder keyId(KeyId keyId) {
            this.keyId = Optional.of(keyId);
            return this;
        }

        public Builder userId(String userId) {
            this.userId = Optional.of(userId);
            return this;
        }

        public Builder orgId(String orgId) {
            this.orgId = Optional.of(orgId);
            return this;
        }

        public Builder teamId(String teamId) {
            this.teamId = Optional.of(teamId);
            return this;
        }

        public Builder tokens(long prompt, long completion) {
            this.promptTokens = prompt;
            this.completionTokens = completion;
            return this;
        }

        public Builder costMicros(long costMicros) {
            this.costMicros = costMicros;
            return this;
        }

        /** Answered by the cache, with how it matched. */
        public Builder cacheHit(String hitType) {
            this.cached = true;
            this.hitType = Optional.of(hitType);
            return this;
        }

        public Builder compliance(double score, List<String> flags) {
            this.complianceScore = OptionalDouble.of(score);
            this.complianceFlags = Objects.requireNonNull(flags, "complianceFlags");
            return this;
        }

        public Builder latencyMicros(long latencyMicros) {
            this.latencyMicros = latencyMicros;
            return this;
        }

        public Builder status(int status) {
            this.status = status;
            return this;
        }

        /** Failed with {@code status} and the error type {@code error}. */
        public Builder failed(int status, String error) {
            this.status = status;
            this.error = Optional.of(error);
            return this;
        }

        /** The provider attempts the call made, in order. */
        public Builder attempts(List<AttemptOutcome> value) {
            this.attempts = value;
            return this;
        }

        /** The run the call belongs to. */
        public Builder traceId(String traceId) {
            this.traceId = Optional.of(traceId);
            return this;
        }

        /**
         * @throws NullPointerException     when a required value is missing
         * @throws IllegalArgumentException when a value is out of range (the message names the field)
         */
        public AuditRecord build() {
            return new AuditRecord(requestId, timestamp, keyId, userId, orgId, teamId, route, provider, model,
                    promptTokens, completionTokens, costMicros, cached, hitType, complianceScore, complianceFlags,
                    latencyMicros, status, error, attempts, traceId);
        }
    }
}
