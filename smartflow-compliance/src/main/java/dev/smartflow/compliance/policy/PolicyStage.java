package dev.smartflow.compliance.policy;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.Stage;
import dev.smartflow.core.audit.Facts;
import dev.smartflow.core.audit.Trail;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.ClientAddress;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.routing.RoutePlan;
import dev.smartflow.core.spi.Policy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The policy library's pre-call stage ({@code Slot.PRE_CALL}): every model call's text is evaluated against the
 * caller's policies ({@link PolicyEvaluator}), then blocked (403 {@code compliance_violation}, naming the policy),
 * redacted (the call goes on without what matched) or let through; the audit record's compliance flags name every
 * policy that matched ({@code policy:<name>}) and its score is the risk score. The gateway's own calls for the
 * library ({@link InternalCall}) are not evaluated, nor are model lists and token counts.
 *
 * <p>The call's providers and models are those of its route plan (every target of a fallback chain), made here the way
 * the plan stage will make it; a model no provider serves is evaluated by its name alone, and then refused by the plan
 * stage as usual.
 */
public final class PolicyStage implements Stage {
    /** The request header that carries the caller's address through trusted proxies. */
    static final String FORWARDED_FOR = "x-forwarded-for";

    private final PolicyEvaluator evaluator;
    private final PolicyStats stats;
    private final Supplier<Smartflow> smartflow;
    private final boolean trustForwardedFor;

    PolicyStage(PolicyEvaluator evaluator, PolicyStats stats, Supplier<Smartflow> smartflow,
                boolean trustForwardedFor) {
        this.evaluator = evaluator;
        this.stats = stats;
        this.smartflow = smartflow;
        this.trustForwardedFor = trustForwardedFor;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (!evaluates(exchange) || evaluator.idle()) {
            return chain.proceed(exchange);
        }
        String text = RequestText.of(exchange.body());
        if (text.isBlank()) {
            return chain.proceed(exchange);
        }
        Set<String> providers = new HashSet<>();
        Set<String> models = new HashSet<>();
        targets(exchange, providers, models);
        PolicyVerdict verdict = evaluator.evaluate(new PolicyRequest(exchange.principal(), text, providers, models,
                address(exchange), credentials(exchange.headers())));
        stats.record(verdict);
        if (verdict.applied().isEmpty()) {
            return chain.proceed(exchange);
        }
        exchange.get(Trail.KEY).ifPresent(trail -> note(trail, verdict));
        if (verdict.blocked()) {
            throw GatewayError.of(403, "permission_error", "compliance_violation", verdict.message());
        }
        if (verdict.action().filter(a -> a == Policy.Action.REDACT).isPresent()) {
            return chain.proceed(exchange.withBody(RequestText.redact(exchange.body(), verdict::redact)));
        }
        return chain.proceed(exchange);
    }

    private static boolean evaluates(Exchange exchange) {
        return exchange.get(InternalCall.KEY).isEmpty() && exchange.operation() instanceof LlmOperation op
                && op != LlmOperation.MODELS && op != LlmOperation.ANTHROPIC_COUNT_TOKENS;
    }

    /** The providers and model names the call may reach, from the plan the plan stage will make. */
    private void targets(Exchange exchange, Set<String> providers, Set<String> models) {
        exchange.body().text("model").ifPresent(models::add);
        RoutePlan plan;
        try {
            plan = smartflow.get().routing().planner().plan(exchange);
        } catch (RuntimeException e) {
            return;
        }
        for (RoutePlan.Planned planned : plan.targets()) {
            String provider = planned.target().provider().name();
            providers.add(provider);
            providers.add(planned.spec().provider());
            models.add(planned.target().model());
            models.add(planned.spec().model());
            models.add(provider + "/" + planned.target().model());
        }
    }

    private Optional<String> address(Exchange exchange) {
        if (trustForwardedFor) {
            Optional<String> forwarded = exchange.headers().get(FORWARDED_FOR)
                    .map(value -> value.split(",")[0].strip()).filter(value -> !value.isEmpty());
            if (forwarded.isPresent()) {
                return forwarded;
            }
        }
        return exchange.get(ClientAddress.KEY).map(ClientAddress::ip);
    }

    /** Only the caller's credentials travel to a judge call, not the other headers the exchange carries. */
    private static Headers credentials(Headers headers) {
        List<String> kept = new ArrayList<>(4);
        for (String name : List.of("authorization", "x-api-key")) {
            headers.get(name).ifPresent(value -> {
                kept.add(name);
                kept.add(value);
            });
        }
        return kept.isEmpty() ? Headers.EMPTY : Headers.of(kept.toArray(String[]::new));
    }

    /** Adds the verdict to what another compliance stage may have noted: the higher score, both sets of flags. */
    private static void note(Trail trail, PolicyVerdict verdict) {
        Optional<Facts.Compliance> earlier = trail.fact(Facts.COMPLIANCE);
        List<String> flags = new ArrayList<>(earlier.map(Facts.Compliance::flags).orElse(List.of()));
        verdict.flags().stream().filter(flag -> !flags.contains(flag)).forEach(flags::add);
        double score = Math.max(verdict.riskScore(), earlier.map(Facts.Compliance::score).orElse(0.0));
        trail.note(Facts.COMPLIANCE, new Facts.Compliance(score, flags));
    }
}
