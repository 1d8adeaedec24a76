package dev.smartflow.compliance.policy;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.VirtualKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Evaluates a call against the caller's policies ("Maestro"): the effective policies of the caller (see
 * {@link PolicySnapshot}) in priority order, kept when they apply to the call's providers and models and their
 * metadata admits the caller (its key's tags, its address), are each compared with the call's text.
 *
 * <ul>
 *   <li><b>Detectors.</b> A policy that names a built-in detector (in its {@code detectors}, or by naming the thing in
 *       its content: "social security numbers") matches when the detector finds something, with confidence 1.</li>
 *   <li><b>Similarity.</b> Otherwise it matches when some passage of the text is at least {@code similarity_threshold}
 *       close (cosine) to the policy's text or one of its rules, with the similarity as confidence.</li>
 *   <li><b>Judge.</b> When enabled, a policy of high enough severity whose similarity reaches the judge's floor is
 *       decided by the LLM judge instead (up to {@code max_calls} judgements a call, stopping once a block is
 *       certain).</li>
 * </ul>
 *
 * <p>The verdict carries every match, the risk score and the action. Nothing is read from the database: the snapshot
 * is in memory. Thread-safe. Entry points for the compliance engine: {@link #evaluate(Principal, String, String,
 * String, Optional)} and {@link #evaluate(PolicyRequest)}.
 */
public final class PolicyEvaluator {
    private final PolicyCatalog catalog;
    private final Similarity similarity;
    private final double threshold;
    private final PolicySettings.Judge judgeSettings;
    private final Optional<PolicyJudge> judge;

    PolicyEvaluator(PolicyCatalog catalog, Similarity similarity, PolicySettings settings,
                    Optional<PolicyJudge> judge) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.threshold = settings.similarityThreshold();
        this.judgeSettings = settings.judge();
        this.judge = Objects.requireNonNull(judge, "judge");
    }

    /** True while no policy is active: there is nothing to evaluate (the snapshot is loaded first, if need be). */
    public boolean idle() {
        return catalog.current().idle();
    }

    /**
     * The verdict on {@code text} sent by {@code principal} from {@code ip} to {@code provider}'s {@code model}
     * ({@code provider} empty when unknown), with no judge call (there are no credentials to make it with).
     */
    public PolicyVerdict evaluate(Principal principal, String text, String provider, String model,
                                  Optional<String> ip) {
        return evaluate(PolicyRequest.of(principal, text, provider, model, ip));
    }

    /** The verdict on one call. */
    public PolicyVerdict evaluate(PolicyRequest request) {
        PolicySnapshot snapshot = catalog.current();
        if (snapshot.idle()) {
            return PolicyVerdict.NONE;
        }
        CompiledPolicy.CallerFacts caller = facts(request.principal(), request.ip());
        List<CompiledPolicy> applicable = snapshot.effective(request.principal()).stream()
                .map(PolicySnapshot.Effective::policy)
                .filter(p -> p.appliesTo(request.providers(), request.models()) && p.admits(caller))
                .toList();
        List<String> applied = applicable.stream().map(p -> p.policy().id()).toList();
        String text = request.text();
        if (applicable.isEmpty() || text.isBlank()) {
            return new PolicyVerdict(applied, List.of(), List.of(), List.of());
        }
        List<Passages.Passage> passages = List.of();
        List<float[]> passageVectors = List.of();
        if (similarity.enabled() && applicable.stream().anyMatch(p -> !p.vectors().isEmpty())) {
            passages = Passages.of(text, Similarity.MAX_PASSAGES);
            passageVectors = similarity.passageVectors(passages);
        }
        Map<String, Boolean> found = new HashMap<>();
        List<PolicyVerdict.Match> matches = new ArrayList<>();
        List<PolicyDetector> redactDetectors = new ArrayList<>();
        Set<String> redactPieces = new LinkedHashSet<>();
        int judgements = 0;
        for (CompiledPolicy compiled : applicable) {
            Policy policy = compiled.policy();
            List<String> hits = compiled.detectors().stream()
                    .filter(d -> found.computeIfAbsent(d.name(), name -> !d.find(text).isEmpty()))
                    .map(PolicyDetector::name).toList();
            Similarity.Best best = Similarity.best(passageVectors, compiled.vectors());
            Optional<PolicyVerdict.Match> match = Optional.empty();
            if (!hits.isEmpty()) {
                match = Optional.of(new PolicyVerdict.Match(policy, PolicyVerdict.How.DETECTOR, 1, best.cosine(),
                        hits));
            } else if (judging(policy, best, judgements, matches)) {
                judgements++;
                Optional<PolicyJudge.Judgement> judgement = judge.get().judge(policy, text, request.credentials());
                if (judgement.isPresent()) {
                    match = judgement.filter(PolicyJudge.Judgement::violates).map(j -> new PolicyVerdict.Match(
                            policy, PolicyVerdict.How.JUDGE, j.confidence(), best.cosine(), List.of()));
                } else if (best.cosine() >= threshold) {
                    match = Optional.of(new PolicyVerdict.Match(policy, PolicyVerdict.How.SIMILARITY, best.cosine(),
                            best.cosine(), List.of()));
                }
            } else if (best.passage() >= 0 && best.cosine() >= threshold) {
                match = Optional.of(new PolicyVerdict.Match(policy, PolicyVerdict.How.SIMILARITY, best.cosine(),
                        best.cosine(), List.of()));
            }
            if (match.isEmpty()) {
                continue;
            }
            matches.add(match.get());
            if (policy.action() == Policy.Action.REDACT) {
                if (!hits.isEmpty()) {
                    compiled.detectors().stream().filter(d -> hits.contains(d.name())).forEach(redactDetectors::add);
                } else if (best.passage() >= 0) {
                    redactPieces.addAll(matchingPieces(passages.get(best.passage()), compiled));
                }
            }
        }
        return new PolicyVerdict(applied, matches, redactDetectors, List.copyOf(redactPieces));
    }

    /**
     * The sentences of a matching passage to redact: those that match the policy on their own, or the whole passage
     * when only their combination does.
     */
    private List<String> matchingPieces(Passages.Passage passage, CompiledPolicy compiled) {
        if (passage.pieces().size() == 1) {
            return passage.pieces();
        }
        List<float[]> vectors = similarity.vectors(passage.pieces());
        List<String> matching = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            if (Similarity.best(List.of(vectors.get(i)), compiled.vectors()).cosine() >= threshold) {
                matching.add(passage.pieces().get(i));
            }
        }
        return matching.isEmpty() ? passage.pieces() : matching;
    }

    /** Whether the judge decides this policy: enabled, severe enough, close enough, calls left, no block yet. */
    private boolean judging(Policy policy, Similarity.Best best, int judgements, List<PolicyVerdict.Match> matches) {
        return judge.isPresent() && judgeSettings.enabled()
                && policy.severity().compareTo(judgeSettings.minSeverity()) >= 0
                && best.passage() >= 0 && best.cosine() >= judgeSettings.minSimilarity()
                && judgements < judgeSettings.maxCalls()
                && matches.stream().noneMatch(m -> m.policy().action() == Policy.Action.BLOCK);
    }

    /**
     * What targeting reads of the caller: its address, and its key's {@code ad_groups} (comma-separated),
     * {@code department} and {@code application} tags (also {@code departments} and {@code applications},
     * comma-separated), lower-cased.
     */
    static CompiledPolicy.CallerFacts facts(Principal principal, Optional<String> ip) {
        Map<String, String> tags = principal.key().map(VirtualKey::tags).orElse(Map.of());
        return new CompiledPolicy.CallerFacts(ip.flatMap(IpRange::address),
                values(tags, "ad_groups", "ad_group"), values(tags, "department", "departments"),
                values(tags, "application", "applications"));
    }

    private static Set<String> values(Map<String, String> tags, String... names) {
        return Arrays.stream(names).map(tags::get).filter(Objects::nonNull)
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(value -> value.strip().toLowerCase(Locale.ROOT)).filter(value -> !value.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
