package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.spi.Policy;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code policy} section of the configuration file.
 *
 * <pre>
 * policy:
 *   enabled: true                  # evaluate policies on every call
 *   similarity: true               # compare texts by meaning with the shared embedder (cache.embedder)
 *   similarity_threshold: 0.5      # cosine from which a call's text matches a policy's
 *   trust_forwarded_for: false     # take the caller's address from X-Forwarded-For (behind a trusted proxy only)
 *   refresh_seconds: 5             # how often an instance checks for a change it missed (pub/sub is at most once)
 *   stats_flush_seconds: 5         # how often counts go to the database
 *   judge: {enabled: false, model: gpt-4o-mini, min_severity: high, min_similarity: 0.2, max_calls: 2}
 *   generate: {model: gpt-4o, max_document_mb: 50, chunk_chars: 12000, max_chunks: 100, concurrency: 1}
 * </pre>
 *
 * @param enabled             whether the pre-call stage evaluates policies
 * @param similarity          whether texts are compared by meaning, with the embedder the cache module's
 *                            {@code cache.embedder} names (shared with it); off, policies match by detectors only
 * @param similarityThreshold the cosine (0 to 1) from which a call's text matches a policy's text
 * @param trustForwardedFor   whether the caller's address is the first of {@code X-Forwarded-For} (set it only behind
 *                            a proxy that sets that header itself); else the socket's address
 * @param refresh             how often an instance compares the library's version with its snapshot's
 * @param statsFlush          how often the counts of applied and matched policies are added to the database
 * @param judge               the optional LLM judge
 * @param generate            document-to-policy jobs
 */
record PolicySettings(boolean enabled, boolean similarity, double similarityThreshold, boolean trustForwardedFor,
                      Duration refresh, Duration statsFlush, Judge judge, Generate generate) {
    PolicySettings {
        Objects.requireNonNull(refresh, "refresh");
        Objects.requireNonNull(statsFlush, "statsFlush");
        Objects.requireNonNull(judge, "judge");
        Objects.requireNonNull(generate, "generate");
    }

    /**
     * The LLM judge: for policies of at least {@code minSeverity} whose similarity to the call reaches
     * {@code minSimilarity}, a model is asked whether the call breaks the policy, and its answer decides (a detector's
     * find needs no judge). Off by default: each judgement is a model call, budgeted and audited as the caller's.
     *
     * @param maxCalls judgements per call at most, in evaluation order
     */
    record Judge(boolean enabled, Optional<String> model, Policy.Severity minSeverity, double minSimilarity,
                 int maxCalls) {
    }

    /**
     * Document-to-policy jobs.
     *
     * @param model            the model that reads the document's chunks
     * @param maxDocumentBytes the largest upload accepted
     * @param chunkChars       the characters of text sent to the model at once
     * @param maxChunks        the chunks analysed at most; a longer document is analysed from its beginning and the
     *                         job says it was truncated
     * @param concurrency      jobs worked on at once by one instance
     * @param lease            how long a job stays with an instance that stops renewing it (a crash) before another
     *                         instance, or the same one restarted, takes it over
     */
    record Generate(String model, long maxDocumentBytes, int chunkChars, int maxChunks, int concurrency,
                    Duration lease) {
    }

    /**
     * Reads the section ({@code policy:}); the missing node gives the defaults.
     *
     * @throws IllegalArgumentException naming the setting ({@code policy.judge.model}) when a value is wrong
     */
    static PolicySettings from(JsonNode section) {
        known(section, "", Set.of("enabled", "similarity", "similarity_threshold", "trust_forwarded_for",
                "refresh_seconds", "stats_flush_seconds", "judge", "generate"));
        JsonNode judge = section.path("judge");
        known(judge, "judge.", Set.of("enabled", "model", "min_severity", "min_similarity", "max_calls"));
        JsonNode generate = section.path("generate");
        known(generate, "generate.", Set.of("model", "max_document_mb", "chunk_chars", "max_chunks", "concurrency",
                "lease_seconds"));
        boolean judging = bool(judge, "judge.enabled", false);
        Optional<String> judgeModel = text(judge, "judge.model");
        if (judging && judgeModel.isEmpty()) {
            throw new IllegalArgumentException("policy.judge.model must name a model when the judge is enabled");
        }
        String severity = text(judge, "judge.min_severity").orElse("high");
        return new PolicySettings(
                bool(section, "enabled", true),
                bool(section, "similarity", true),
                number(section, "similarity_threshold", 0.5, 0, 1),
                bool(section, "trust_forwarded_for", false),
                Duration.ofSeconds((long) number(section, "refresh_seconds", 5, 1, 3600)),
                Duration.ofSeconds((long) number(section, "stats_flush_seconds", 5, 1, 3600)),
                new Judge(judging, judgeModel, Policy.Severity.parse(severity).orElseThrow(() ->
                        new IllegalArgumentException("policy.judge.min_severity must be low, medium, high or "
                                + "critical")),
                        number(judge, "judge.min_similarity", 0.2, 0, 1),
                        (int) number(judge, "judge.max_calls", 2, 1, 20)),
                new Generate(text(generate, "generate.model").orElse("gpt-4o"),
                        (long) (number(generate, "generate.max_document_mb", 50, 1, 1024) * 1024 * 1024),
                        (int) number(generate, "generate.chunk_chars", 12_000, 1_000, 200_000),
                        (int) number(generate, "generate.max_chunks", 100, 1, 10_000),
                        (int) number(generate, "generate.concurrency", 1, 1, 16),
                        Duration.ofSeconds((long) number(generate, "generate.lease_seconds", 60, 5, 3600))));
    }

    private static void known(JsonNode node, String prefix, Set<String> names) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("policy." + (prefix.isEmpty() ? "" : prefix.substring(0,
                    prefix.length() - 1)) + " must be a mapping");
        }
        for (Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
            String name = fields.next();
            if (!names.contains(name)) {
                throw new IllegalArgumentException("unknown setting policy." + prefix + name);
            }
        }
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static boolean bool(JsonNode node, String path, boolean fallback) {
        JsonNode value = node.path(leaf(path));
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
            return Boolean.parseBoolean(value.asText());
        }
        throw new IllegalArgumentException("policy." + path + " must be true or false");
    }

    private static double number(JsonNode node, String path, double fallback, double min, double max) {
        JsonNode value = node.path(leaf(path));
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber() || value.doubleValue() < min || value.doubleValue() > max) {
            throw new IllegalArgumentException("policy." + path + " must be a number from " + min + " to " + max);
        }
        return value.doubleValue();
    }

    private static Optional<String> text(JsonNode node, String path) {
        JsonNode value = node.path(leaf(path));
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("policy." + path + " must be a non-empty string");
        }
        return Optional.of(value.asText().strip());
    }
}
