package dev.smartflow.compliance.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.Action;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.ComplianceResult;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.RecommendedAction;
import dev.smartflow.compliance.RiskLevel;
import dev.smartflow.compliance.detect.Finding;
import dev.smartflow.compliance.redact.Pseudonymizer;
import dev.smartflow.compliance.redact.Redactor;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.SharedState;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The intelligent engine: the three layers and the correlation that turns them into one risk and one action, and the
 * feedback that changes later scans.
 *
 * <p><b>Correlation.</b> Each layer gives a risk in [0, 1]: layer 1, {@code 1 - Π(1 - severity × confidence)} over its
 * findings (as the rule-based score); layer 2, the best category's confidence × 0.85; layer 3, half of
 * {@code 1 - Π(1 - severity)} over the deviations (behaviour alone never blocks). They combine as independent risks,
 * {@code 1 - (1 - r1)(1 - r2)(1 - r3)}. The action: Block from 0.8 or when the policy blocks a finding, Review from
 * 0.6, AllowAndLog from 0.3 or with any finding, else Allow.
 *
 * <p><b>Feedback</b> names a scan by its id (scans are kept {@value #SCAN_DAYS} days, without their content: the
 * types found, each value's per-tenant fingerprint, the categories matched and the redacted content's vector). A false
 * positive (or a corrected action of Allow) suppresses the same values in the tenant's later scans and damps the
 * categories layer 2 matched; a corrected action of Review or Block (or level high or critical) on a scan that is not
 * a false positive teaches layer 2 the scan's vector as a pattern of its category. Everything lives in the shared
 * state, so it survives restarts on Redis and every instance sees it.
 *
 * <p>Thread-safe.
 */
public final class IntelligentEngine {
    static final int SCAN_DAYS = 7;
    private static final String SCANS = "compliance:scan:";
    private static final String FEEDBACK = "compliance:feedback:";
    private static final String FEEDBACK_TENANTS = "compliance:feedback-tenants";
    private static final String FALSE_POSITIVES = "compliance:fp:";
    private static final String DAMPING = "compliance:ml:damping:";
    private static final String PERSISTENCE = "compliance:persistence";
    private static final String LEARNED_CATEGORY = "learned_violation";

    private final ComplianceEngine rules;
    private final Optional<SimilarityLayer> similarity;
    private final Baselines baselines;
    private final SharedState state;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    public IntelligentEngine(ComplianceEngine rules, Optional<SimilarityLayer> similarity, Baselines baselines,
                             SharedState state, InstantSource clock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.baselines = Objects.requireNonNull(baselines, "baselines");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Baselines baselines() {
        return baselines;
    }

    public Optional<SimilarityLayer> similarity() {
        return similarity;
    }

    /**
     * Scans {@code content} for {@code tenant} under {@code policy}; {@code scope} and {@code user} name the baseline
     * it is compared with and counted in (no user: layer 3 is skipped).
     */
    public IntelligentResult scan(String content, CompliancePolicy policy, String tenant, String scope,
                                  Optional<String> user) {
        long started = System.nanoTime();
        String scanId = "scan_" + HexFormat.of().formatHex(bytes(12));
        Pseudonymizer fingerprints = new Pseudonymizer(rules.keys(), tenant);
        Map<String, String> falsePositives = state.hashGetAll(FALSE_POSITIVES + part(tenant));

        // layer 1
        List<Flagged> regex = new ArrayList<>();
        List<String> prints = new ArrayList<>();
        int suppressed = 0;
        for (Flagged f : rules.flag(content, policy)) {
            Finding finding = f.finding();
            String print = fingerprints.placeholder(finding.type(), content.substring(finding.start(), finding.end()));
            if (falsePositives.containsKey(print)) {
                suppressed++;
                continue;
            }
            regex.add(f);
            prints.add(print);
        }
        double r1 = 1 - ComplianceResult.score(regex);
        String redacted = Redactor.redact(content, rules.detector().scan(content));

        // layer 2
        List<MlMatch> ml = List.of();
        Optional<float[]> vector = Optional.empty();
        if (similarity.isPresent()) {
            vector = similarity.get().embed(redacted);
            if (vector.isPresent()) {
                ml = similarity.get().match(tenant, vector.get(), damping(tenant));
            }
        }
        double r2 = ml.isEmpty() ? 0 : ml.getFirst().confidence() * 0.85;

        // layer 3
        Set<String> categories = new LinkedHashSet<>();
        regex.forEach(f -> categories.add(f.finding().type().id()));
        ml.forEach(m -> categories.add(m.category()));
        List<Deviation> deviations = List.of();
        Optional<Baselines.Baseline> learning = Optional.empty();
        if (user.isPresent()) {
            learning = Optional.of(baselines.user(scope, user.get()));
            deviations = baselines.deviations(scope, user.get(), categories);
            baselines.record(scope, user.get(), categories);
        }
        double none = 1;
        for (Deviation d : deviations) {
            none *= 1 - d.severity();
        }
        double r3 = 0.5 * (1 - none);

        double risk = round(1 - (1 - r1) * (1 - r2) * (1 - r3));
        boolean policyBlocks = regex.stream().anyMatch(f -> f.action() == Action.BLOCK);
        RecommendedAction action;
        if (risk >= 0.8 || policyBlocks) {
            action = RecommendedAction.BLOCK;
        } else if (risk >= 0.6) {
            action = RecommendedAction.REVIEW;
        } else if (risk >= 0.3 || !regex.isEmpty() || !ml.isEmpty()) {
            action = RecommendedAction.ALLOW_AND_LOG;
        } else {
            action = RecommendedAction.ALLOW;
        }
        RiskLevel level = RiskLevel.of(risk);
        String explanation = explain(regex, suppressed, ml, similarity.isPresent(), vector.isPresent(), deviations,
                learning, risk, level, action, policyBlocks);
        long micros = (System.nanoTime() - started) / 1000;
        IntelligentResult result = new IntelligentResult(scanId, policy.name(), regex, suppressed, ml,
                vector.isPresent(), deviations, learning, risk, level, action, explanation, micros);
        remember(result, tenant, prints, vector);
        return result;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The kept record of a scan, for feedback. */
    private void remember(IntelligentResult result, String tenant, List<String> prints, Optional<float[]> vector) {
        String key = SCANS + result.scanId();
        state.hashPut(key, "tenant", tenant);
        state.hashPut(key, "types", result.regex().stream().map(f -> f.finding().type().id())
                .collect(Collectors.joining(",")));
        state.hashPut(key, "fingerprints", String.join(",", prints));
        state.hashPut(key, "categories", result.ml().stream().map(MlMatch::category).collect(Collectors.joining(",")));
        state.hashPut(key, "risk", Double.toString(result.riskScore()));
        state.hashPut(key, "action", result.action().label());
        state.hashPut(key, "at", clock.instant().toString());
        vector.ifPresent(v -> state.hashPut(key, "vector", Vectors.encode(v)));
        state.expire(key, Duration.ofDays(SCAN_DAYS));
    }

    /** What feedback says of a scan, as the API takes it. */
    public record Feedback(String scanId, Optional<Boolean> falsePositive, Optional<RecommendedAction> correctAction,
                           Optional<RiskLevel> correctLevel, Optional<String> user, Optional<String> notes) {
        public Feedback {
            Objects.requireNonNull(scanId, "scanId");
        }
    }

    /**
     * Applies feedback on a scan of {@code tenant}; empty when no such scan of that tenant is kept (unknown, expired,
     * or another tenant's). The list says what changed.
     */
    public Optional<List<String>> feedback(String tenant, Feedback feedback) {
        Map<String, String> scan = state.hashGetAll(SCANS + feedback.scanId());
        if (scan.isEmpty() || !tenant.equals(scan.get("tenant"))) {
            return Optional.empty();
        }
        List<String> applied = new ArrayList<>();
        boolean falsePositive = feedback.falsePositive().orElse(false)
                || feedback.correctAction().filter(a -> a == RecommendedAction.ALLOW).isPresent();
        boolean confirmed = !falsePositive && (feedback.correctAction()
                .filter(a -> a == RecommendedAction.BLOCK || a == RecommendedAction.REVIEW).isPresent()
                || feedback.correctLevel().filter(l -> l.compareTo(RiskLevel.HIGH) >= 0).isPresent());
        List<String> categories = list(scan.get("categories"));
        if (falsePositive) {
            List<String> prints = list(scan.get("fingerprints"));
            List<String> types = list(scan.get("types"));
            for (int i = 0; i < prints.size(); i++) {
                state.hashPut(FALSE_POSITIVES + part(tenant), prints.get(i), i < types.size() ? types.get(i) : "");
            }
            if (!prints.isEmpty()) {
                applied.add("suppressed " + prints.size() + " value(s) in later scans");
            }
            for (String category : categories) {
                state.hashIncrement(DAMPING + part(tenant), "fp." + category, 1);
            }
            if (!categories.isEmpty()) {
                applied.add("damped " + String.join(", ", categories));
            }
        } else {
            for (String category : categories) {
                state.hashIncrement(DAMPING + part(tenant), "ok." + category, 1);
            }
        }
        if (confirmed && similarity.isPresent() && scan.containsKey("vector")) {
            String category = categories.isEmpty() ? LEARNED_CATEGORY : categories.getFirst();
            similarity.get().learn(tenant, category, Vectors.decode(scan.get("vector")),
                    "learned_" + feedback.scanId());
            applied.add("learned a " + category + " pattern");
        }
        ObjectNode record = Body.MAPPER.createObjectNode();
        feedback.falsePositive().ifPresent(v -> record.put("is_false_positive", v));
        feedback.correctAction().ifPresent(v -> record.put("correct_action", v.label()));
        feedback.correctLevel().ifPresent(v -> record.put("correct_risk_level", v.id()));
        feedback.user().ifPresent(v -> record.put("user_id", v));
        feedback.notes().ifPresent(v -> record.put("notes", v.length() > 1000 ? v.substring(0, 1000) : v));
        record.put("at", clock.instant().toString());
        state.hashPut(FEEDBACK + part(tenant), feedback.scanId(), record.toString());
        state.hashPut(FEEDBACK_TENANTS, tenant, "1");
        applied.add("recorded");
        return Optional.of(applied);
    }

    /** The feedback given on a scan of {@code tenant}, as recorded. */
    public Optional<JsonNode> feedbackOf(String tenant, String scanId) {
        return state.hashGet(FEEDBACK + part(tenant), scanId).map(text -> {
            try {
                return Body.MAPPER.readTree(text);
            } catch (IOException e) {
                throw new IllegalStateException("a feedback record is not JSON", e);
            }
        });
    }

    /** Per category, the share of the tenant's feedback that called its matches false positives (Laplace-smoothed). */
    private Map<String, Double> damping(String tenant) {
        Map<String, String> counts = state.hashGetAll(DAMPING + part(tenant));
        Map<String, Double> damping = new TreeMap<>();
        counts.forEach((field, value) -> {
            if (field.startsWith("fp.")) {
                String category = field.substring(3);
                double fp = Double.parseDouble(value);
                double ok = Double.parseDouble(counts.getOrDefault("ok." + category, "0"));
                damping.put(category, fp / (fp + ok + 1));
            }
        });
        return damping;
    }

    /** What {@code get_persistence_stats} reports. */
    public ObjectNode persistenceStats() {
        ObjectNode stats = Body.MAPPER.createObjectNode();
        stats.put("store", state.getClass().getSimpleName());
        stats.put("reachable", state.reachable());
        Set<String> scopes = baselines.scopes();
        long users = scopes.stream().mapToLong(baselines::users).sum();
        stats.put("scopes", scopes.size());
        stats.put("users", users);
        long feedback = 0;
        long falsePositives = 0;
        for (String tenant : state.hashGetAll(FEEDBACK_TENANTS).keySet()) {
            feedback += state.hashGetAll(FEEDBACK + part(tenant)).size();
            falsePositives += state.hashGetAll(FALSE_POSITIVES + part(tenant)).size();
        }
        stats.put("feedback_entries", feedback);
        stats.put("false_positive_values", falsePositives);
        similarity.ifPresent(s -> stats.put("learned_patterns", s.stats().learnedPatterns()));
        Map<String, String> persistence = state.hashGetAll(PERSISTENCE);
        stats.put("saves", Long.parseLong(persistence.getOrDefault("saves", "0")));
        stats.put("last_save", persistence.getOrDefault("last_save", null));
        stats.put("scan_retention_days", SCAN_DAYS);
        return stats;
    }

    /** A checkpoint: every change is written to the shared state as it happens, so this records and reports it. */
    public ObjectNode save() {
        String at = clock.instant().toString();
        state.hashIncrement(PERSISTENCE, "saves", 1);
        state.hashPut(PERSISTENCE, "last_save", at);
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("success", true);
        answer.put("saved_at", at);
        answer.put("message", "compliance data is written to the shared state as it changes; checkpoint recorded");
        answer.set("stats", persistenceStats());
        return answer;
    }

    private static String explain(List<Flagged> regex, int suppressed, List<MlMatch> ml, boolean mlConfigured,
                                  boolean mlRan, List<Deviation> deviations, Optional<Baselines.Baseline> learning,
                                  double risk, RiskLevel level, RecommendedAction action, boolean policyBlocks) {
        StringBuilder out = new StringBuilder();
        if (regex.isEmpty()) {
            out.append("Rules found no personal data or secrets");
        } else {
            out.append("Rules found ").append(regex.stream().map(f -> f.finding().type().id() + " ("
                    + String.format(Locale.ROOT, "%.2f", f.finding().score()) + ")")
                    .collect(Collectors.joining(", ")));
        }
        if (suppressed > 0) {
            out.append("; ").append(suppressed).append(" value(s) left out as false positives by feedback");
        }
        out.append(". ");
        if (!mlConfigured) {
            out.append("Similarity layer off. ");
        } else if (!mlRan) {
            out.append("Similarity layer skipped: the embedding model is unavailable. ");
        } else if (ml.isEmpty()) {
            out.append("No similar violation patterns. ");
        } else {
            out.append("Similar to ").append(ml.stream().map(m -> m.category() + " ("
                    + String.format(Locale.ROOT, "%.2f", m.similarity()) + ")").collect(Collectors.joining(", ")))
                    .append(". ");
        }
        if (learning.isEmpty()) {
            out.append("No user given: behaviour not analysed. ");
        } else if (!learning.get().learningComplete()) {
            out.append("Behaviour baseline still learning (").append(learning.get().progressPercent())
                    .append("%). ");
        } else if (deviations.isEmpty()) {
            out.append("Behaviour within the user's baseline. ");
        } else {
            out.append("Behaviour: ").append(deviations.stream().map(Deviation::detail)
                    .collect(Collectors.joining("; "))).append(". ");
        }
        out.append("Risk ").append(String.format(Locale.ROOT, "%.2f", risk)).append(" (").append(level.id())
                .append("): ").append(action.label());
        if (policyBlocks) {
            out.append(", as the policy blocks what was found");
        }
        return out.append('.').toString();
    }

    private static List<String> list(String joined) {
        if (joined == null || joined.isEmpty()) {
            return List.of();
        }
        return List.of(joined.split(","));
    }

    private static String part(String value) {
        return value.replace("%", "%25").replace(":", "%3A");
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
