package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.model.Usd;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code /api/enterprise/vkeys}: create, list, show and revoke virtual keys; {@code GET /{key}/budget} shows the
 * current period's budget, spent, reserved and remaining, and {@code POST /{key}/reset} starts the period again. Every
 * answer has {@code "success": true} and the shapes of the API reference: create {@code token, key_id, message},
 * lists {@code total, keys}, budget {@code budget}, reset and revoke {@code message}, each with a few extra fields
 * (the key's details, reserved spend, the period key). The token appears once, in the answer to create; no route
 * ever returns a token or its hash. Money is plain USD decimals in JSON ({@link Usd#number}) and micro-USD in the
 * store.
 *
 * <p>{@code {key}} is a key's id or its token, as the reference's quick start uses it: a path segment starting
 * {@link VirtualKeys#PREFIX} (in any case) is taken for a token, looked up by its hash, and never echoed in an
 * error.
 *
 * <p>Create holds every field to the limits of {@link VirtualKeys} (lengths, counts, no control characters, a budget
 * of at most one billion USD) and answers 400 naming the field for anything beyond them, so no store ever sees such
 * a value and every database answers alike.
 */
final class VirtualKeyRoutes {
    private static final String BASE = "/api/enterprise/vkeys";
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /** Decimals stay decimals: 0.1 is 0.1 USD, not the double nearest to it, and 1e400 is not infinity. */
    private static final ObjectReader READER = Body.MAPPER.reader()
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final VirtualKeys keys;
    private final Budgets budgets;

    VirtualKeyRoutes(VirtualKeys keys, Budgets budgets) {
        this.keys = keys;
        this.budgets = budgets;
    }

    void register(JavalinConfig app) {
        app.routes.post(BASE, this::create);
        app.routes.get(BASE, ctx -> list(ctx, keys.store().list()));
        app.routes.get(BASE + "/owner/{owner_id}", ctx -> list(ctx, keys.store().listByOwner(
                withinLimits(ctx.pathParam("owner_id"), VirtualKeys.MAX_NAME_LENGTH, "'owner_id'", "owner_id"))));
        app.routes.get(BASE + "/{key}", ctx -> {
            ObjectNode answer = success();
            answer.set("key", describe(find(ctx)));
            Services.json(ctx, 200, Body.of(answer).bytes());
        });
        app.routes.post(BASE + "/{key}/revoke", ctx -> {
            VirtualKey key = find(ctx);
            keys.revoke(key.id());
            ObjectNode answer = success();
            answer.put("message", "Virtual key '" + key.id().value() + "' revoked");
            answer.set("key", describe(keys.store().findById(key.id()).orElse(key.revoked())));
            Services.json(ctx, 200, Body.of(answer).bytes());
        });
        app.routes.get(BASE + "/{key}/budget", ctx -> {
            ObjectNode answer = success();
            answer.set("budget", budget(find(ctx)));
            Services.json(ctx, 200, Body.of(answer).bytes());
        });
        app.routes.post(BASE + "/{key}/reset", ctx -> {
            VirtualKey key = find(ctx);
            budgets.reset(key);
            ObjectNode answer = success();
            answer.put("message", "Budget reset for key '" + key.id().value() + "'");
            answer.set("budget", budget(key));
            Services.json(ctx, 200, Body.of(answer).bytes());
        });
    }

    private static ObjectNode success() {
        return Body.MAPPER.createObjectNode().put("success", true);
    }

    /**
     * The key's budget this period: the reference's fields (budget, remaining and percent used null when unlimited),
     * then what is reserved by calls under way, the period key and when the period began.
     */
    private ObjectNode budget(VirtualKey key) {
        Budgets.View view = budgets.view(key);
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("key_id", key.id().value());
        node.put("name", key.name());
        node.put("active", key.active());
        node.set("budget_usd", usdOrNull(view.limitMicros()));
        node.put("period", view.period().name().toLowerCase(Locale.ROOT));
        node.set("spent_usd", Usd.number(view.spentMicros()));
        node.set("remaining_usd", usdOrNull(view.remainingMicros()));
        node.set("percent_used", view.limitMicros().isPresent()
                ? percent(view.spentMicros(), view.limitMicros().getAsLong()) : NullNode.getInstance());
        node.put("last_used", key.lastUsed().map(Instant::toString).orElse(null));
        node.set("reserved_usd", Usd.number(view.reservedMicros()));
        node.put("period_key", view.periodKey());
        node.put("period_start", view.periodStart().toString());
        return node;
    }

    private static JsonNode usdOrNull(OptionalLong micros) {
        return micros.isPresent() ? Usd.number(micros.getAsLong()) : NullNode.getInstance();
    }

    /**
     * {@code spent} as a percentage of {@code limit}, to two decimals, plainly written ({@code 23.47}, {@code 0.0});
     * above 100 when spend overshot, and 100 for a zero budget, which is used up from the start.
     */
    private static JsonNode percent(long spentMicros, long limitMicros) {
        BigDecimal percent = limitMicros == 0 ? HUNDRED : BigDecimal.valueOf(spentMicros).multiply(HUNDRED)
                .divide(BigDecimal.valueOf(limitMicros), 2, RoundingMode.HALF_UP);
        BigDecimal plain = percent.stripTrailingZeros();
        // a scale of 1 or 2, never negative: BigDecimal.toString() is then plain (100.0, not 1E+2)
        return DecimalNode.valueOf(plain.scale() < 1 ? plain.setScale(1) : plain);
    }

    private void create(Context ctx) {
        JsonNode body = parse(ctx);
        String name = text(body, "name", VirtualKeys.MAX_NAME_LENGTH);
        String ownerId = text(body, "owner_id", VirtualKeys.MAX_NAME_LENGTH);
        Set<String> providers = providers(body);
        Long budgetMicros = budgetMicros(body);
        BudgetPeriod period = period(body);
        Long tpm = limit(body, "tpm_limit");
        Long rpm = limit(body, "rpm_limit");
        Map<String, String> tags = tags(body);
        VirtualKeys.Issued issued = keys.issue(name, ownerId, b -> {
            b.allowedProviders(providers).period(period).tags(tags);
            if (budgetMicros != null) {
                b.budget(budgetMicros, period);
            }
            if (tpm != null) {
                b.tpmLimit(tpm);
            }
            if (rpm != null) {
                b.rpmLimit(rpm);
            }
            return b;
        });
        ObjectNode answer = success();
        answer.put("token", issued.token());
        answer.put("key_id", issued.key().id().value());
        answer.put("message", "Virtual key created. Store the token securely — it will not be shown again.");
        answer.set("key", describe(issued.key()));
        Services.json(ctx, 201, Body.of(answer).bytes());
    }

    /** The key a path names by its id or by its token; 404 otherwise, without echoing a token. */
    private VirtualKey find(Context ctx) {
        String given = ctx.pathParam("key");
        if (given.regionMatches(true, 0, VirtualKeys.PREFIX, 0, VirtualKeys.PREFIX.length())) {
            // a token, or one mistyped (in any case): either way a secret, so it is looked up by its hash and never
            // shown
            return (VirtualKeys.looksLikeToken(given) ? keys.store().findByTokenHash(VirtualKeys.hash(given))
                    : Optional.<VirtualKey>empty())
                    .orElseThrow(() -> new NotFound("no virtual key has this token", "key_not_found"));
        }
        // no key has an id a key's name could not be, and PostgreSQL refuses to even compare with a NUL
        boolean possible = !given.isBlank() && VirtualKeys.textProblem(given, VirtualKeys.MAX_NAME_LENGTH).isEmpty();
        return (possible ? keys.store().findById(KeyId.of(given)) : Optional.<VirtualKey>empty())
                .orElseThrow(() -> new NotFound("no virtual key with id '" + given + "'", "key_not_found"));
    }

    private void list(Context ctx, List<VirtualKey> found) {
        ObjectNode root = success();
        root.put("total", found.size());
        ArrayNode listed = root.putArray("keys");
        found.forEach(key -> listed.add(describe(key)));
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    /**
     * A key's metadata, in the reference's order, then the providers it may call (empty: any): never its token nor
     * its hash.
     */
    private ObjectNode describe(VirtualKey key) {
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("key_id", key.id().value());
        node.put("name", key.name());
        node.put("owner_id", key.ownerId());
        node.put("active", key.active());
        node.set("budget_usd", usdOrNull(key.budgetMicros()));
        node.put("period", key.period().name().toLowerCase(Locale.ROOT));
        node.put("period_start", budgets.periodStart(key).toString());
        putLimit(node, "tpm_limit", key.tpmLimit());
        putLimit(node, "rpm_limit", key.rpmLimit());
        node.put("created_at", key.createdAt().toString());
        node.put("last_used", key.lastUsed().map(Instant::toString).orElse(null));
        ObjectNode tags = node.putObject("tags");
        key.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        ArrayNode providers = node.putArray("allowed_providers");
        key.allowedProviders().stream().sorted().forEach(providers::add);
        return node;
    }

    private static void putLimit(ObjectNode node, String field, OptionalLong limit) {
        if (limit.isPresent()) {
            node.put(field, limit.getAsLong());
        } else {
            node.putNull(field);
        }
    }

    private static JsonNode parse(Context ctx) {
        JsonNode body;
        try {
            body = READER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new InvalidRequest("the request body is not valid JSON", "invalid_json", null);
        } catch (NumberFormatException e) {
            // an exponent beyond an int (1e-2147483649) is no BigDecimal
            throw new InvalidRequest("the request body holds a number beyond any range", "invalid_json", null);
        }
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("the request body must be a JSON object", "invalid_request", null);
        }
        return body;
    }

    private static String text(JsonNode body, String field, int maxLength) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRequest("missing required parameter '" + field + "'", "invalid_request", field);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRequest("'" + field + "' must be a non-empty string", "invalid_request", field);
        }
        return withinLimits(value.asText().strip(), maxLength, "'" + field + "'", field);
    }

    /** {@code text} if a key may hold it, else a 400 saying why {@code what} cannot be it. */
    private static String withinLimits(String text, int maxLength, String what, String param) {
        VirtualKeys.textProblem(text, maxLength).ifPresent(problem -> {
            throw new InvalidRequest(what + " " + problem, "invalid_request", param);
        });
        return text;
    }

    private static void requireAtMost(JsonNode container, int max, String field) {
        if (container.size() > max) {
            throw new InvalidRequest("'" + field + "' has more than " + max + " entries", "invalid_request", field);
        }
    }

    /**
     * The providers the key may call: the reference's {@code provider} (null for any, or one name) or a list in
     * {@code allowed_providers}; not both.
     */
    private static Set<String> providers(JsonNode body) {
        JsonNode one = body.get("provider");
        JsonNode value = body.get("allowed_providers");
        boolean hasList = value != null && !value.isNull();
        if (one != null && !one.isNull()) {
            if (hasList) {
                throw new InvalidRequest("give either 'provider' or 'allowed_providers', not both", "invalid_request",
                        "provider");
            }
            if (!one.isTextual() || one.asText().isBlank()) {
                throw new InvalidRequest("'provider' must be null (any provider) or a provider name",
                        "invalid_request", "provider");
            }
            return Set.of(providerName(one.asText(), "'provider'", "provider"));
        }
        if (!hasList) {
            return Set.of();
        }
        if (!value.isArray()) {
            throw new InvalidRequest("'allowed_providers' must be an array of provider names", "invalid_request",
                    "allowed_providers");
        }
        requireAtMost(value, VirtualKeys.MAX_PROVIDERS, "allowed_providers");
        Set<String> providers = new LinkedHashSet<>();
        for (JsonNode provider : value) {
            if (!provider.isTextual() || provider.asText().isBlank()) {
                throw new InvalidRequest("'allowed_providers' must hold non-empty provider names", "invalid_request",
                        "allowed_providers");
            }
            providers.add(providerName(provider.asText(), "a provider name in 'allowed_providers'",
                    "allowed_providers"));
        }
        return providers;
    }

    private static String providerName(String given, String what, String param) {
        return withinLimits(given.strip().toLowerCase(Locale.ROOT), VirtualKeys.MAX_TAG_LENGTH, what, param);
    }

    private static Long budgetMicros(JsonNode body) {
        JsonNode value = body.get("budget_usd");
        return value == null || value.isNull() ? null : Usd.micros(value, "budget_usd");
    }

    private static BudgetPeriod period(JsonNode body) {
        JsonNode value = body.get("period");
        if (value == null || value.isNull()) {
            return BudgetPeriod.MONTHLY;
        }
        if (value.isTextual()) {
            for (BudgetPeriod period : BudgetPeriod.values()) {
                if (period.name().equalsIgnoreCase(value.asText().strip())) {
                    return period;
                }
            }
        }
        throw new InvalidRequest("'period' must be one of daily, weekly, monthly, lifetime", "invalid_request",
                "period");
    }

    private static Long limit(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new InvalidRequest("'" + field + "' must be a non-negative whole number", "invalid_request", field);
        }
        return value.asLong();
    }

    private static Map<String, String> tags(JsonNode body) {
        JsonNode value = body.get("tags");
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new InvalidRequest("'tags' must be an object of string values", "invalid_request", "tags");
        }
        requireAtMost(value, VirtualKeys.MAX_TAGS, "tags");
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> tag : value.properties()) {
            String name = withinLimits(tag.getKey(), VirtualKeys.MAX_TAG_LENGTH, "a tag name", "tags");
            if (name.isBlank()) {
                throw new InvalidRequest("a tag name must not be blank", "invalid_request", "tags");
            }
            if (!tag.getValue().isTextual()) {
                throw new InvalidRequest("tag '" + name + "' must be a string", "invalid_request", "tags");
            }
            tags.put(name, withinLimits(tag.getValue().asText(), VirtualKeys.MAX_TAG_LENGTH,
                    "the value of tag '" + name + "'", "tags"));
        }
        return tags;
    }
}
