package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.Message;
import dev.smartflow.core.routing.Routing;
import dev.smartflow.core.routing.TargetHealth;
import dev.smartflow.core.spi.AuditAnalytics;
import dev.smartflow.core.spi.AuditLog;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operations chatbot behind {@code POST /api/chatbot/query}: reads a question by fixed rules ({@link Question}),
 * answers it from the audit log's analytics and routing's provider health, and returns the sentence with the figures
 * behind it. Nothing is estimated: every number in an answer is one the audit log or routing reported.
 *
 * <p>With a model configured ({@code chatbot.model}), the sentence is rephrased by that model through the gateway's own
 * pipeline (audited and priced like any call); the rephrasing is used only if every number in it is one the rules'
 * answer (or the question) holds, so a model cannot invent a figure. Otherwise, or when the call fails, the rules'
 * sentence is the answer.
 */
final class Chatbot {
    private static final System.Logger LOG = System.getLogger(Chatbot.class.getName());
    static final int MAX_QUERY = 1_000;
    private static final int TOP = 10;
    private static final Pattern NUMBER = Pattern.compile("\\d[\\d,]*(?:\\.\\d+)?");
    static final List<String> EXAMPLES = List.of(
            "show me today's cache stats",
            "which provider had the most errors this week?",
            "what did we spend on OpenAI yesterday?",
            "how many requests did we serve in the last 3 days?",
            "what is our latency this week?",
            "what are the top models this month?",
            "how many tokens did anthropic use today?",
            "what is the routing status?",
            "give me a summary of yesterday");

    private final AuditLog audit;
    private final Routing routing;
    private final Supplier<List<String>> known;
    private final Supplier<List<String>> providers;
    private final InstantSource clock;
    private final Optional<String> model;
    private final Supplier<Smartflow> pipeline;

    /**
     * @param known     every provider's name, which questions may mention
     * @param providers the available providers' names
     * @param model     the model that rephrases answers, if any
     * @param pipeline  the gateway's pipeline, for the rephrasing call
     */
    Chatbot(AuditLog audit, Routing routing, Supplier<List<String>> known, Supplier<List<String>> providers,
            InstantSource clock, Optional<String> model, Supplier<Smartflow> pipeline) {
        this.audit = audit;
        this.routing = routing;
        this.known = known;
        this.providers = providers;
        this.clock = clock;
        this.model = model;
        this.pipeline = pipeline;
    }

    ObjectNode answer(String query) {
        List<String> names = new ArrayList<>(known.get());
        routing.health().providers().forEach(p -> {
            if (!names.contains(p.provider())) {
                names.add(p.provider());
            }
        });
        Question question = Question.read(query, clock.instant(), names);
        ObjectNode answer = Body.MAPPER.createObjectNode();
        answer.put("intent", question.topic().name().toLowerCase(Locale.ROOT));
        if (question.topic() == Question.Topic.UNSUPPORTED) {
            answer.put("response", "I answer questions about the gateway's own figures: spend, requests, errors,"
                    + " cache hits, latency, tokens, top models and routing, for today, yesterday, this or last week"
                    + " or month, or the last N days or hours, overall or for one provider. For example: \""
                    + EXAMPLES.get(1) + "\"");
            ArrayNode supported = answer.putArray("supported");
            EXAMPLES.forEach(supported::add);
            answer.put("phrased_by", "rules");
            return answer;
        }
        answer.putObject("range").put("label", question.range())
                .put("start", question.from().toString()).put("end", question.to().toString());
        question.provider().ifPresentOrElse(p -> answer.put("provider", p), () -> answer.putNull("provider"));
        ObjectNode data = answer.putObject("data");
        String sentence = switch (question.topic()) {
            case ROUTING -> routingAnswer(question, data);
            case LATENCY -> question.provider().isPresent() ? providerLatency(question, data)
                    : figures(question, data, analytics(question));
            default -> figures(question, data, analytics(question));
        };
        answer.put("response", sentence);
        answer.put("phrased_by", "rules");
        model.flatMap(m -> phrase(m, query, sentence)).ifPresent(phrased -> answer.put("response", phrased)
                .put("phrased_by", model.get()));
        return answer;
    }

    private AuditAnalytics analytics(Question question) {
        return audit.analytics(question.from(), question.to(), TOP);
    }

    /** The answer for every topic read from the analytics. */
    private static String figures(Question q, ObjectNode data, AuditAnalytics a) {
        Optional<AuditAnalytics.ByProvider> only = q.provider().map(name -> a.providers().stream()
                .filter(p -> p.provider().equals(name)).findFirst()
                .orElse(new AuditAnalytics.ByProvider(name, 0, 0, 0, 0, 0, 0)));
        if (q.rank() != 0 && q.provider().isEmpty() && !a.providers().isEmpty() && rankable(q.topic())) {
            return ranking(q, data, a);
        }
        long requests = only.map(AuditAnalytics.ByProvider::requests).orElse(a.requests());
        long errors = only.map(AuditAnalytics.ByProvider::errors).orElse(a.errors());
        long cached = only.map(AuditAnalytics.ByProvider::cached).orElse(a.cached());
        long prompt = only.map(AuditAnalytics.ByProvider::promptTokens).orElse(a.promptTokens());
        long completion = only.map(AuditAnalytics.ByProvider::completionTokens).orElse(a.completionTokens());
        long cost = only.map(AuditAnalytics.ByProvider::costMicros).orElse(a.costMicros());
        String who = q.provider().map(p -> " for " + p).orElse("");
        data.put("requests", requests);
        return switch (q.topic()) {
            case COST -> {
                data.set("cost_usd", usd(cost));
                String breakdown = q.provider().isPresent() || a.providers().isEmpty() ? ""
                        : " (" + a.providers().stream().limit(3).map(p -> p.provider() + " " + money(p.costMicros()))
                        .collect(Collectors.joining(", ")) + ")";
                providersArray(data, a, q);
                yield "Spend" + who + " " + q.range() + ": " + money(cost) + " over " + count(requests, "request")
                        + breakdown + ".";
            }
            case REQUESTS -> {
                providersArray(data, a, q);
                yield "Requests" + who + " " + q.range() + ": " + requests + ".";
            }
            case ERRORS -> {
                data.put("errors", errors).set("error_rate", rate(errors, requests));
                yield "Errors" + who + " " + q.range() + ": " + errors + " of " + count(requests, "request")
                        + " (" + percent(errors, requests) + ").";
            }
            case CACHE -> {
                data.put("hits", cached).put("misses", requests - cached).set("hit_rate", rate(cached, requests));
                yield "Cache" + who + " " + q.range() + ": " + cached + " of " + count(requests, "request")
                        + " answered from the cache, " + (requests - cached) + " sent to a provider (hit rate "
                        + percent(cached, requests) + ").";
            }
            case TOKENS -> {
                data.put("prompt_tokens", prompt).put("completion_tokens", completion)
                        .put("total_tokens", prompt + completion);
                yield "Tokens" + who + " " + q.range() + ": " + (prompt + completion) + " (" + prompt + " in, "
                        + completion + " out) over " + count(requests, "request") + ".";
            }
            case LATENCY -> {
                data.set("p50_ms", millis(a.latency().p50Micros()));
                data.set("p95_ms", millis(a.latency().p95Micros()));
                data.set("p99_ms", millis(a.latency().p99Micros()));
                yield requests == 0 ? "No requests " + q.range() + ", so no latency to report."
                        : "Latency " + q.range() + " over " + count(requests, "request") + ": p50 "
                        + ms(a.latency().p50Micros()) + " ms, p95 " + ms(a.latency().p95Micros()) + " ms, p99 "
                        + ms(a.latency().p99Micros()) + " ms.";
            }
            case TOP_MODELS -> {
                ArrayNode models = data.putArray("models");
                List<AuditAnalytics.ByModel> top = a.topModels().stream()
                        .filter(m -> q.provider().map(m.provider()::equals).orElse(true)).limit(5).toList();
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < top.size(); i++) {
                    AuditAnalytics.ByModel m = top.get(i);
                    models.addObject().put("provider", m.provider()).put("model", m.model())
                            .put("requests", m.requests()).set("cost_usd", usd(m.costMicros()));
                    lines.add((i + 1) + ". " + m.provider() + "/" + m.model() + " (" + count(m.requests(), "request")
                            + ", " + money(m.costMicros()) + ")");
                }
                yield top.isEmpty() ? "No model served a request " + q.range() + "."
                        : "Top models " + q.range() + ": " + String.join("; ", lines) + ".";
            }
            default -> {
                data.put("errors", errors).put("cached", cached).set("cost_usd", usd(cost));
                yield "Summary" + who + " " + q.range() + ": " + count(requests, "request") + ", " + errors
                        + " failed, " + cached + " answered from the cache, " + money(cost) + " spent.";
            }
        };
    }

    private static boolean rankable(Question.Topic topic) {
        return topic == Question.Topic.COST || topic == Question.Topic.REQUESTS || topic == Question.Topic.ERRORS
                || topic == Question.Topic.CACHE || topic == Question.Topic.TOKENS;
    }

    /** "Which provider had the most X": every provider by that figure, the answer naming the first. */
    private static String ranking(Question q, ObjectNode data, AuditAnalytics a) {
        Comparator<AuditAnalytics.ByProvider> by = switch (q.topic()) {
            case COST -> Comparator.comparingLong(AuditAnalytics.ByProvider::costMicros);
            case ERRORS -> Comparator.comparingLong(AuditAnalytics.ByProvider::errors);
            case CACHE -> Comparator.comparingLong(AuditAnalytics.ByProvider::cached);
            case TOKENS -> Comparator.comparingLong(p -> p.promptTokens() + p.completionTokens());
            default -> Comparator.comparingLong(AuditAnalytics.ByProvider::requests);
        };
        Comparator<AuditAnalytics.ByProvider> order = (q.rank() > 0 ? by.reversed() : by)
                .thenComparing(AuditAnalytics.ByProvider::provider);
        List<AuditAnalytics.ByProvider> ranked = a.providers().stream().sorted(order).toList();
        ArrayNode list = data.putArray("providers");
        ranked.forEach(p -> describe(list.addObject(), p));
        AuditAnalytics.ByProvider first = ranked.getFirst();
        String most = q.rank() > 0 ? "The most" : "The fewest";
        return switch (q.topic()) {
            case COST -> (q.rank() > 0 ? "The highest" : "The lowest") + " spend " + q.range() + ": "
                    + first.provider() + ", " + money(first.costMicros()) + " of " + money(a.costMicros()) + " in all.";
            case ERRORS -> most + " errors " + q.range() + ": " + first.provider() + ", " + first.errors() + " of "
                    + count(first.requests(), "request") + " (" + percent(first.errors(), first.requests()) + ").";
            case CACHE -> most + " cache hits " + q.range() + ": " + first.provider() + ", " + first.cached() + " of "
                    + count(first.requests(), "request") + ".";
            case TOKENS -> most + " tokens " + q.range() + ": " + first.provider() + ", "
                    + (first.promptTokens() + first.completionTokens()) + ".";
            default -> most + " requests " + q.range() + ": " + first.provider() + ", " + first.requests() + " of "
                    + a.requests() + ".";
        };
    }

    private static void providersArray(ObjectNode data, AuditAnalytics a, Question q) {
        if (q.provider().isEmpty()) {
            ArrayNode list = data.putArray("providers");
            a.providers().forEach(p -> describe(list.addObject(), p));
        }
    }

    private static void describe(ObjectNode node, AuditAnalytics.ByProvider p) {
        node.put("provider", p.provider()).put("requests", p.requests()).put("errors", p.errors())
                .put("cached", p.cached()).put("tokens", p.promptTokens() + p.completionTokens())
                .set("cost_usd", usd(p.costMicros()));
    }

    /** A provider's rolling latency, as routing measures it (not bounded by the question's range). */
    private String providerLatency(Question q, ObjectNode data) {
        String name = q.provider().orElseThrow();
        TargetHealth.ProviderHealth health = routing.health().providers(List.of(name)).stream()
                .filter(p -> p.provider().equals(name)).findFirst().orElseThrow();
        BigDecimal latency = BigDecimal.valueOf(health.latencyMs()).setScale(1, RoundingMode.HALF_EVEN);
        data.put("latency_ms", latency).put("requests_total", health.requestsTotal())
                .put("status", health.status());
        return health.requestsTotal() == 0 ? "No latency for " + name + ": it has served no calls yet."
                : "Rolling latency of " + name + ": " + latency.toPlainString() + " ms over "
                + count(health.requestsTotal(), "call") + " (" + health.status() + "); routing keeps this figure,"
                + " not per time range.";
    }

    private String routingAnswer(Question q, ObjectNode data) {
        Routing.Status status = routing.status();
        List<TargetHealth.ProviderHealth> health = routing.health().providers(providers.get()).stream()
                .filter(p -> q.provider().map(p.provider()::equals).orElse(true)).toList();
        ArrayNode list = data.putArray("providers");
        for (TargetHealth.ProviderHealth p : health) {
            list.addObject().put("provider", p.provider()).put("status", p.status())
                    .put("requests_total", p.requestsTotal()).put("error_rate", p.errorRate());
        }
        status.forced().ifPresentOrElse(f -> data.putObject("forced").put("provider", f.provider())
                .put("until", f.until().toString()), () -> data.putNull("forced"));
        status.defaultChain().ifPresentOrElse(c -> data.put("default_chain", c), () -> data.putNull("default_chain"));
        String providersText = health.isEmpty() ? "no provider is configured"
                : health.stream().map(p -> p.provider() + " " + p.status() + " (" + count(p.requestsTotal(), "call")
                + ")").collect(Collectors.joining(", "));
        String forced = status.forced().map(f -> f.provider() + " is forced until " + f.until())
                .orElse("no provider is forced");
        return "Providers: " + providersText + "; " + forced + status.defaultChain()
                .map(c -> "; the default chain is " + c).orElse("") + ".";
    }

    /** The model's rephrasing, if every number in it is one the rules' answer or the question holds. */
    private Optional<String> phrase(String model, String query, String sentence) {
        try {
            String prompt = "Rephrase this answer to an operator's question in one or two friendly sentences. Keep"
                    + " every number exactly as written and add no other number.\nQuestion: " + query
                    + "\nAnswer: " + sentence;
            String phrased = pipeline.get().chat(ChatRequest.builder().model(model).message(Message.user(prompt))
                    .param("temperature", 0).build()).content().strip();
            Set<BigDecimal> allowed = numbers(sentence + " " + query);
            if (phrased.isEmpty() || phrased.length() > 2_000 || !allowed.containsAll(numbers(phrased))) {
                LOG.log(System.Logger.Level.DEBUG, "the chatbot's model changed a figure; the rules' answer is kept");
                return Optional.empty();
            }
            return Optional.of(phrased);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the chatbot's model could not rephrase: " + e.getMessage());
            return Optional.empty();
        }
    }

    static Set<BigDecimal> numbers(String text) {
        Set<BigDecimal> found = new HashSet<>();
        Matcher matcher = NUMBER.matcher(text);
        while (matcher.find()) {
            String digits = matcher.group().replace(",", "");
            try {
                found.add(new BigDecimal(digits.endsWith(".") ? digits.substring(0, digits.length() - 1) : digits)
                        .stripTrailingZeros());
            } catch (NumberFormatException e) {
                // not a number after all
            }
        }
        return found;
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** USD with at least two decimals and up to six, never rounded away: {@code $1.50}, {@code $0.000123}. */
    static String money(long micros) {
        BigDecimal usd = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return "$" + (usd.scale() < 2 ? usd.setScale(2, RoundingMode.UNNECESSARY) : usd).toPlainString();
    }

    private static String percent(long part, long whole) {
        if (whole == 0) {
            return "0%";
        }
        return BigDecimal.valueOf(part * 100).divide(BigDecimal.valueOf(whole), 1, RoundingMode.HALF_EVEN)
                .stripTrailingZeros().toPlainString() + "%";
    }

    /** Milliseconds from microseconds, without trailing zeros: {@code 100}, {@code 12.5}. */
    private static String ms(long micros) {
        return BigDecimal.valueOf(micros, 3).stripTrailingZeros().toPlainString();
    }

    private static DecimalNode usd(long micros) {
        return DecimalNode.valueOf(BigDecimal.valueOf(micros, 6));
    }

    private static DecimalNode millis(long micros) {
        return DecimalNode.valueOf(BigDecimal.valueOf(micros, 3));
    }

    private static DecimalNode rate(long part, long whole) {
        return DecimalNode.valueOf(whole == 0 ? BigDecimal.ZERO.setScale(6)
                : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 6, RoundingMode.HALF_EVEN));
    }
}
