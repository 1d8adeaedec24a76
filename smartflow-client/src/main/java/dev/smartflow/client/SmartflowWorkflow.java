package dev.smartflow.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steps of AI work chained with branching (the SDK guide's {@code SmartflowWorkflow}), run over a {@link Gateway}.
 *
 * <pre>{@code
 * WorkflowResult result = new SmartflowWorkflow(client, "ContentPipeline")
 *         .addStep("analyze", "chat", Map.of("prompt", "Analyze the tone of: {input}", "model", "gpt-4o-mini"),
 *                 "compliance_check")
 *         .addStep("compliance_check", "compliance_check", Map.of("content", "{input}"), "route")
 *         .addStep("route", "condition", Map.of("field", "output",
 *                 "cases", Map.of("positive", "enhance", "negative", "review"), "default", "publish"))
 *         ...
 *         .execute(Map.of("input", "This product exceeded my expectations!"));
 * }</pre>
 *
 * <p><b>Actions.</b>
 * <ul>
 *   <li>{@code chat}: {@code prompt} (required; {@code {input}}, {@code {output}} and any value of the run, such as
 *       a step's name, are filled in), {@code model} (default {@value ChatOptions#DEFAULT_MODEL}), {@code temperature},
 *       {@code system_prompt}, {@code max_tokens}. Its answer becomes {@code output}.</li>
 *   <li>{@code compliance_check}: {@code content} (a template; default {@code {output}}), {@code policy} (default
 *       {@code enterprise_standard}), {@code fail_on_violation} (default true: a scan that recommends blocking fails
 *       the step). The result is kept as {@code compliance}; {@code output} passes on unchanged.</li>
 *   <li>{@code condition}: {@code field} (a value of the run, default {@code output}), {@code cases} (value → next
 *       step) and {@code default}. A case matches when its value equals the field's (ignoring case and surrounding
 *       space), else when the field contains it; among several, the one that appears first in the field wins. No
 *       match and no default ends the run.</li>
 * </ul>
 *
 * <p><b>Order.</b> The run starts at the first step added and follows each step's {@code next_steps} in order, depth
 * first (a condition follows the one step it picks). Before anything runs, the steps reachable from the first are
 * checked: a cycle, or a next step that does not exist, fails the run at once with the reason in
 * {@link WorkflowResult#errors()}. A step that fails (a gateway error, a compliance block, a bad config) ends the run
 * with {@code success == false}, its reason in the errors.
 *
 * <p>Adding steps is not thread-safe; a built workflow may run on several threads at once.
 */
public final class SmartflowWorkflow {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");
    private static final Set<String> ACTIONS = Set.of("chat", "compliance_check", "condition");

    private final Gateway gateway;
    private final String name;
    private final Map<String, Step> steps = new LinkedHashMap<>();
    private LongSupplier ticker = System::nanoTime;

    /** One step: its name, action, configuration and the steps after it. */
    record Step(String name, String action, Map<String, Object> config, List<String> nextSteps) {
    }

    public SmartflowWorkflow(Gateway gateway, String name) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name() {
        return name;
    }

    /** The clock {@link WorkflowResult#executionTimeMs()} is measured with, in nanoseconds. */
    public SmartflowWorkflow ticker(LongSupplier nanos) {
        this.ticker = Objects.requireNonNull(nanos, "ticker");
        return this;
    }

    /**
     * Adds a step.
     *
     * @throws IllegalArgumentException for a name already used, an unknown action, or a config the action cannot
     *                                  run (a chat without a prompt, a condition without cases)
     */
    public SmartflowWorkflow addStep(String stepName, String action, Map<String, ?> config, String... nextSteps) {
        return addStep(stepName, action, config, List.of(nextSteps));
    }

    public SmartflowWorkflow addStep(String stepName, String action, Map<String, ?> config, List<String> nextSteps) {
        Objects.requireNonNull(stepName, "stepName");
        if (steps.containsKey(stepName)) {
            throw new IllegalArgumentException("a step named '" + stepName + "' exists");
        }
        if (!ACTIONS.contains(Objects.requireNonNull(action, "action"))) {
            throw new IllegalArgumentException("unknown action '" + action + "'; expected chat, compliance_check or"
                    + " condition");
        }
        Map<String, Object> copy = new LinkedHashMap<>(Objects.requireNonNull(config, "config"));
        switch (action) {
            case "chat" -> {
                if (!(copy.get("prompt") instanceof String)) {
                    throw new IllegalArgumentException("step '" + stepName + "': a chat step needs a 'prompt'");
                }
            }
            case "condition" -> {
                if (!(copy.get("cases") instanceof Map<?, ?>) && !(copy.get("default") instanceof String)) {
                    throw new IllegalArgumentException("step '" + stepName + "': a condition needs 'cases' or a"
                            + " 'default'");
                }
            }
            default -> {
                // compliance_check: every field has a default
            }
        }
        steps.put(stepName, new Step(stepName, action, copy, List.copyOf(nextSteps)));
        return this;
    }

    /** Runs the workflow on {@code input} (its {@code "input"} is what {@code {input}} becomes). */
    public WorkflowResult execute(Map<String, ?> input) {
        long start = ticker.getAsLong();
        Run run = new Run(input);
        if (steps.isEmpty()) {
            run.errors.add("workflow '" + name + "' has no steps");
        } else {
            Optional<String> problem = checkGraph();
            if (problem.isPresent()) {
                run.errors.add(problem.get());
            } else {
                run.from(steps.keySet().iterator().next());
            }
        }
        double millis = (ticker.getAsLong() - start) / 1_000_000.0;
        return new WorkflowResult(run.errors.isEmpty(), String.valueOf(run.context.getOrDefault("output", "")),
                run.executed, run.errors, run.tokens, run.costMicros, millis, run.context);
    }

    /** A cycle or a missing step among those reachable from the first; empty when there is none. */
    private Optional<String> checkGraph() {
        List<String> path = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        return visit(steps.keySet().iterator().next(), path, done);
    }

    private Optional<String> visit(String step, List<String> path, Set<String> done) {
        if (path.contains(step)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(step), path.size()));
            cycle.add(step);
            return Optional.of("cycle: " + String.join(" -> ", cycle));
        }
        if (done.contains(step)) {
            return Optional.empty();
        }
        Step current = steps.get(step);
        if (current == null) {
            return Optional.of((path.isEmpty() ? "" : path.getLast() + ": ") + "no step named '" + step + "'");
        }
        path.add(step);
        for (String next : successors(current)) {
            Optional<String> problem = visit(next, path, done);
            if (problem.isPresent()) {
                return problem;
            }
        }
        path.removeLast();
        done.add(step);
        return Optional.empty();
    }

    private static List<String> successors(Step step) {
        List<String> next = new ArrayList<>(step.nextSteps());
        if (step.action().equals("condition")) {
            if (step.config().get("cases") instanceof Map<?, ?> cases) {
                cases.values().forEach(target -> next.add(String.valueOf(target)));
            }
            if (step.config().get("default") instanceof String fallback) {
                next.add(fallback);
            }
        }
        return next;
    }

    /** One execution's state. */
    private final class Run {
        final Map<String, Object> context = new HashMap<>();
        final List<String> executed = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        long tokens;
        long costMicros;

        Run(Map<String, ?> input) {
            context.putAll(Objects.requireNonNull(input, "input"));
            context.putIfAbsent("output", "");
        }

        /** Runs {@code first} and what follows it, depth first; stops at the first error. */
        void from(String first) {
            List<String> stack = new ArrayList<>(List.of(first));
            while (!stack.isEmpty() && errors.isEmpty()) {
                Step step = steps.get(stack.removeLast());
                executed.add(step.name());
                List<String> next;
                try {
                    next = switch (step.action()) {
                        case "chat" -> chat(step);
                        case "compliance_check" -> complianceCheck(step);
                        default -> condition(step);
                    };
                } catch (SmartflowException | IllegalArgumentException e) {
                    errors.add(step.name() + ": " + e.getMessage());
                    return;
                }
                for (int i = next.size() - 1; i >= 0; i--) {
                    stack.add(next.get(i));
                }
            }
        }

        private List<String> chat(Step step) {
            ChatOptions.Builder options = ChatOptions.builder()
                    .model(text(step, "model").orElse(ChatOptions.DEFAULT_MODEL));
            number(step, "temperature").ifPresent(t -> options.temperature(t.doubleValue()));
            number(step, "max_tokens").ifPresent(m -> options.maxTokens(m.intValue()));
            text(step, "system_prompt").map(this::fill).ifPresent(options::systemPrompt);
            AIResponse response = gateway.chatCompletions(
                    List.of(Message.user(fill((String) step.config().get("prompt")))), options.build());
            tokens += response.usage().totalTokens();
            costMicros += response.costUsd().map(usd -> usd.movePointRight(6).setScale(0,
                    RoundingMode.HALF_UP).longValue()).orElse(0L);
            context.put("output", response.content());
            context.put(step.name(), response.content());
            return step.nextSteps();
        }

        private List<String> complianceCheck(Step step) {
            String content = fill(text(step, "content").orElse("{output}"));
            ComplianceResult result = gateway.checkCompliance(content,
                    text(step, "policy").orElse("enterprise_standard"), ScanContext.NONE);
            context.put("compliance", result);
            context.put(step.name(), result.hasViolations() ? "violations: " + String.join(", ",
                    result.findingTypes()) : "compliant");
            boolean fail = !(step.config().get("fail_on_violation") instanceof Boolean b) || b;
            if (fail && result.blocked()) {
                throw new ComplianceException("blocked by " + text(step, "policy").orElse("enterprise_standard")
                        + (result.findingTypes().isEmpty() ? "" : " (" + String.join(", ", result.findingTypes())
                        + ")"), result);
            }
            return step.nextSteps();
        }

        private List<String> condition(Step step) {
            String field = text(step, "field").orElse("output");
            String value = String.valueOf(context.getOrDefault(field, "")).strip().toLowerCase(Locale.ROOT);
            String chosen = null;
            int earliest = Integer.MAX_VALUE;
            int longest = 0;
            if (step.config().get("cases") instanceof Map<?, ?> cases) {
                for (Map.Entry<?, ?> entry : cases.entrySet()) {
                    String key = String.valueOf(entry.getKey()).strip().toLowerCase(Locale.ROOT);
                    if (key.equals(value)) {
                        chosen = String.valueOf(entry.getValue());
                        break;
                    }
                    int at = key.isEmpty() ? -1 : value.indexOf(key);
                    // the case named first in the text wins; at one position, the longer name ("not good" over "not")
                    if (at >= 0 && (at < earliest || (at == earliest && key.length() > longest))) {
                        earliest = at;
                        longest = key.length();
                        chosen = String.valueOf(entry.getValue());
                    }
                }
            }
            if (chosen == null) {
                chosen = text(step, "default").orElse(null);
            }
            context.put(step.name(), chosen == null ? "" : chosen);
            List<String> next = new ArrayList<>();
            if (chosen != null) {
                next.add(chosen);
            }
            next.addAll(step.nextSteps());
            return next;
        }

        /** {@code template} with each {@code {name}} of the run's values filled in; unknown names stay. */
        private String fill(String template) {
            Matcher matcher = PLACEHOLDER.matcher(template);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                Object value = context.get(matcher.group(1));
                matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? matcher.group()
                        : String.valueOf(value)));
            }
            matcher.appendTail(out);
            return out.toString();
        }
    }

    private static Optional<String> text(Step step, String key) {
        return step.config().get(key) instanceof String value ? Optional.of(value) : Optional.empty();
    }

    private static Optional<Number> number(Step step, String key) {
        Object value = step.config().get(key);
        if (value instanceof Number n) {
            return Optional.of(n);
        }
        if (value instanceof String s) {
            try {
                return Optional.of(new BigDecimal(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + key + "' must be a number");
            }
        }
        return Optional.empty();
    }
}
