package dev.smartflow.compliance.stage;

import dev.smartflow.compliance.Action;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.CompliancePolicy;
import dev.smartflow.compliance.Flagged;
import dev.smartflow.compliance.Policies;
import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.detect.EntityType;
import dev.smartflow.compliance.detect.Finding;
import dev.smartflow.compliance.redact.Pseudonymizer;
import dev.smartflow.compliance.redact.Redactor;
import dev.smartflow.compliance.redact.Restorer;
import dev.smartflow.compliance.redact.Vault;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Pre- and post-call compliance, at {@link dev.smartflow.core.Slot#PRE_CALL}: scans the request's text under the
 * caller's policy before anything else sees it (the cache included), and the answer on its way back.
 *
 * <p><b>Request.</b> Every text of the request ({@link Texts}) is scanned. A finding the policy blocks fails the call
 * with a 403 {@code compliance_violation} that names the types found, never the values. Otherwise the findings the
 * policy redacts become labels ({@code [SSN]}) and those it pseudonymises become per-tenant placeholders
 * ({@code [EMAIL_K7Q2M9XA]}), and the changed request goes on; logged findings change nothing. The score and flags go
 * to the audit record ({@link Facts#COMPLIANCE}) and the score to the {@code x-smartflow-compliance-score} header.
 *
 * <p><b>Answer.</b> When the policy scans answers, findings it acts on are redacted in the answer (a value the model
 * produced cannot be taken back, so "block" redacts too) and the others flagged ({@code answer.pii.email}); then the
 * placeholders the request sent are replaced by their values. A complete answer is filtered whole; a stream chunk by
 * chunk ({@link FilteredStream}), holding back only what a later chunk could turn into a value or a placeholder.
 *
 * <p>Stateless and thread-safe; per-call state lives in the call's own objects.
 */
public final class ComplianceStage implements Stage {
    public static final String SCORE_HEADER = "x-smartflow-compliance-score";

    private final ComplianceEngine engine;
    private final boolean scanAnswers;

    /** @param scanAnswers whether answers are scanned at all (each policy may still say no) */
    public ComplianceStage(ComplianceEngine engine, boolean scanAnswers) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.scanAnswers = scanAnswers;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Optional<LlmOperation> operation = exchange.operation().llm();
        if (operation.isEmpty() || !Texts.scanned(operation.get())) {
            return chain.proceed(exchange);
        }
        Policies.Resolution resolution = engine.policies().effective(exchange.principal());
        if (resolution.policy().isEmpty()) {
            return chain.proceed(exchange);
        }
        CompliancePolicy policy = resolution.policy().get();
        Detector detector = engine.detector(policy);
        Tally tally = new Tally(policy, resolution.unknownTag());
        Optional<Trail> trail = exchange.get(Trail.KEY);

        List<List<Flagged>> perText = new ArrayList<>();
        boolean[] changes = {false};
        Texts.request(operation.get(), exchange.body().json(), text -> {
            List<Flagged> flagged = flag(detector, policy, text);
            perText.add(flagged);
            tally.request(flagged);
            changes[0] |= flagged.stream().anyMatch(f -> f.action() == Action.REDACT
                    || f.action() == Action.PSEUDONYMISE);
            return null;
        });
        trail.ifPresent(t -> t.note(Facts.COMPLIANCE, tally.facts()));
        Set<EntityType> blocking = tally.blocking();
        if (!blocking.isEmpty()) {
            throw GatewayError.of(403, "compliance_violation", "compliance_violation",
                    "request blocked by compliance policy '" + policy.name() + "': it contains "
                            + blocking.stream().map(EntityType::id).collect(Collectors.joining(", ")))
                    .withHeader(SCORE_HEADER, tally.header());
        }
        Pseudonymizer pseudonyms = new Pseudonymizer(engine.keys(), exchange.principal().tenant());
        Exchange forwarded = exchange;
        if (changes[0]) {
            int[] next = {0};
            Body changed = exchange.body().edit(copy -> Texts.request(operation.get(), copy,
                    text -> rewrite(text, perText.get(next[0]++), pseudonyms)));
            forwarded = exchange.withBody(changed);
        }
        Response response = chain.proceed(forwarded);
        response = answer(operation.get(), response, policy, detector, pseudonyms.vault(), tally, trail);
        return response.withHeader(SCORE_HEADER, tally.header());
    }

    private static List<Flagged> flag(Detector detector, CompliancePolicy policy, String text) {
        List<Finding> findings = detector.scan(text);
        if (findings.isEmpty()) {
            return List.of();
        }
        List<Flagged> flagged = new ArrayList<>(findings.size());
        for (Finding finding : findings) {
            flagged.add(new Flagged(finding, policy.action(finding.type()).orElseThrow()));
        }
        return flagged;
    }

    private static String rewrite(String text, List<Flagged> flagged, Pseudonymizer pseudonyms) {
        List<Finding> changed = flagged.stream()
                .filter(f -> f.action() == Action.REDACT || f.action() == Action.PSEUDONYMISE)
                .map(Flagged::finding).toList();
        if (changed.isEmpty()) {
            return null;
        }
        return Redactor.replace(text, changed, finding -> {
            Action action = flagged.stream().filter(f -> f.finding() == finding).findFirst().orElseThrow().action();
            return action == Action.PSEUDONYMISE
                    ? pseudonyms.placeholder(finding.type(), text.substring(finding.start(), finding.end()))
                    : finding.type().label();
        });
    }

    private Response answer(LlmOperation operation, Response response, CompliancePolicy policy, Detector detector,
                            Vault vault, Tally tally, Optional<Trail> trail) {
        boolean scan = scanAnswers && policy.scanAnswers();
        if ((!scan && vault.isEmpty()) || response.status() >= 400) {
            return response;
        }
        Consumer<Flagged> seen = tally::answer;
        return switch (response) {
            case Response.Complete complete -> {
                Body body = filterWhole(operation, complete.body(), scan ? detector : null, policy, vault, seen);
                trail.ifPresent(t -> t.note(Facts.COMPLIANCE, tally.facts()));
                yield body == complete.body() ? complete
                        : new Response.Complete(complete.status(), complete.headers(), body);
            }
            case Response.Streamed streamed when streamed.events() && shape(operation) != null ->
                    new Response.Streamed(streamed.status(), streamed.headers(), new FilteredStream(streamed.chunks(),
                            shape(operation), () -> new AnswerText(scan
                                    ? new StreamScanner(detector, policy, seen) : null, new Restorer(vault)),
                            () -> trail.ifPresent(t -> t.note(Facts.COMPLIANCE, tally.facts()))));
            case Response.Streamed other -> other;
        };
    }

    private static FilteredStream.Shape shape(LlmOperation operation) {
        return switch (operation) {
            case CHAT -> FilteredStream.Shape.CHAT;
            case COMPLETIONS -> FilteredStream.Shape.COMPLETIONS;
            case ANTHROPIC_MESSAGES -> FilteredStream.Shape.ANTHROPIC;
            default -> null;
        };
    }

    private static Body filterWhole(LlmOperation operation, Body body, Detector detector, CompliancePolicy policy,
                                    Vault vault, Consumer<Flagged> seen) {
        if (body.isEmpty()) {
            return body;
        }
        boolean[] changes = {false};
        List<String> replaced = new ArrayList<>();
        try {
            Texts.answer(operation, body.json(), text -> {
                String out = text;
                if (detector != null) {
                    List<Flagged> flagged = flag(detector, policy, text);
                    flagged.forEach(seen);
                    List<Finding> acting = flagged.stream().filter(f -> f.action().acts()).map(Flagged::finding)
                            .toList();
                    out = Redactor.redact(text, acting);
                }
                out = Restorer.restoreAll(out, vault);
                replaced.add(out);
                changes[0] |= !out.equals(text);
                return null;
            });
        } catch (dev.smartflow.core.error.InvalidRequest notJson) {
            return body;
        }
        if (!changes[0]) {
            return body;
        }
        int[] next = {0};
        return body.edit(copy -> Texts.answer(operation, copy, text -> replaced.get(next[0]++)));
    }
}
