package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.budget.Budgets;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.keys.VirtualKeys;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * current period's limit, spent, reserved and remaining, and {@code POST /{key}/reset} starts the period again. The
 * token appears once, in the answer to create; no route ever returns a token or its hash. Money is USD decimals in
 * JSON and micro-USD in the store.
 */
final class VirtualKeyRoutes {
    private static final String BASE = "/api/enterprise/vkeys";
    private static final BigDecimal MICROS_PER_USD = BigDecimal.valueOf(1_000_000);

    private final VirtualKeys keys;
    private final Budgets budgets;

    VirtualKeyRoutes(VirtualKeys keys, Budgets budgets) {
        this.keys = keys;
        this.budgets = budgets;
    }

    void register(JavalinConfig app) {
        app.routes.post(BASE, this::create);
        app.routes.get(BASE, ctx -> list(ctx, keys.store().list()));
        app.routes.get(BASE + "/owner/{owner_id}",
                ctx -> list(ctx, keys.store().listByOwner(ctx.pathParam("owner_id"))));
        app.routes.get(BASE + "/{key}", ctx -> Services.json(ctx, 200, Body.of(describe(find(ctx))).bytes()));
        app.routes.post(BASE + "/{key}/revoke", ctx -> {
            VirtualKey key = find(ctx);
            keys.revoke(key.id());
            VirtualKey revoked = keys.store().findById(key.id()).orElse(key.revoked());
            Services.json(ctx, 200, Body.of(describe(revoked)).bytes());
        });
        app.routes.get(BASE + "/{key}/budget", ctx -> Services.json(ctx, 200, budget(find(ctx)).bytes()));
        app.routes.post(BASE + "/{key}/reset", ctx -> {
            VirtualKey key = find(ctx);
            budgets.reset(key);
            Services.json(ctx, 200, budget(key).bytes());
        });
    }

    /** The key's budget this period, in USD: limit (null when unlimited), spent, reserved, remaining. */
    private Body budget(VirtualKey key) {
        Budgets.View view = budgets.view(key);
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("key_id", key.id().value());
        if (view.limitMicros().isPresent()) {
            node.put("limit_usd", usd(view.limitMicros().getAsLong()));
            node.put("remaining_usd", usd(view.remainingMicros().orElse(0)));
        } else {
            node.putNull("limit_usd");
            node.putNull("remaining_usd");
        }
        node.put("spent_usd", usd(view.spentMicros()));
        node.put("reserved_usd", usd(view.reservedMicros()));
        node.put("period", view.period().name().toLowerCase(Locale.ROOT));
        node.put("period_key", view.periodKey());
        return Body.of(node);
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }

    private void create(Context ctx) {
        JsonNode body = RequestJson.object(ctx);
        String name = text(body, "name");
        String ownerId = text(body, "owner_id");
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
        ObjectNode answer = describe(issued.key());
        answer.put("token", issued.token());
        Services.json(ctx, 201, Body.of(answer).bytes());
    }

    private VirtualKey find(Context ctx) {
        String id = ctx.pathParam("key");
        return (id.isBlank() ? Optional.<VirtualKey>empty() : keys.store().findById(KeyId.of(id)))
                .orElseThrow(() -> new NotFound("no virtual key with id '" + id + "'", "key_not_found"));
    }

    private static void list(Context ctx, List<VirtualKey> found) {
        ObjectNode root = Body.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        found.forEach(key -> data.add(describe(key)));
        Services.json(ctx, 200, Body.of(root).bytes());
    }

    /** A key's metadata: never its token nor its hash. */
    static ObjectNode describe(VirtualKey key) {
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("object", "virtual_key");
        node.put("id", key.id().value());
        node.put("name", key.name());
        node.put("owner_id", key.ownerId());
        ArrayNode providers = node.putArray("allowed_providers");
        key.allowedProviders().stream().sorted().forEach(providers::add);
        if (key.budgetMicros().isPresent()) {
            node.put("budget_usd", BigDecimal.valueOf(key.budgetMicros().getAsLong(), 6).stripTrailingZeros());
        } else {
            node.putNull("budget_usd");
        }
        node.put("period", key.period().name().toLowerCase(Locale.ROOT));
        putLimit(node, "tpm_limit", key.tpmLimit());
        putLimit(node, "rpm_limit", key.rpmLimit());
        ObjectNode tags = node.putObject("tags");
        key.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        node.put("active", key.active());
        node.put("created_at", key.createdAt().toString());
        if (key.lastUsed().isPresent()) {
            node.put("last_used", key.lastUsed().get().toString());
        } else {
            node.putNull("last_used");
        }
        return node;
    }

    private static void putLimit(ObjectNode node, String field, OptionalLong limit) {
        if (limit.isPresent()) {
            node.put(field, limit.getAsLong());
        } else {
            node.putNull(field);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidRequest("missing required parameter '" + field + "'", "invalid_request", field);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidRequest("'" + field + "' must be a non-empty string", "invalid_request", field);
        }
        return value.asText().strip();
    }

    private static Set<String> providers(JsonNode body) {
        JsonNode value = body.get("allowed_providers");
        if (value == null || value.isNull()) {
            return Set.of();
        }
        if (!value.isArray()) {
            throw new InvalidRequest("'allowed_providers' must be an array of provider names", "invalid_request",
                    "allowed_providers");
        }
        Set<String> providers = new LinkedHashSet<>();
        for (JsonNode provider : value) {
            if (!provider.isTextual() || provider.asText().isBlank()) {
                throw new InvalidRequest("'allowed_providers' must hold non-empty provider names", "invalid_request",
                        "allowed_providers");
            }
            providers.add(provider.asText().strip().toLowerCase(Locale.ROOT));
        }
        return providers;
    }

    private static Long budgetMicros(JsonNode body) {
        JsonNode value = body.get("budget_usd");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.decimalValue().signum() < 0) {
            throw new InvalidRequest("'budget_usd' must be a non-negative number of US dollars", "invalid_request",
                    "budget_usd");
        }
        try {
            return value.decimalValue().multiply(MICROS_PER_USD).setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidRequest("'budget_usd' is too large", "invalid_request", "budget_usd");
        }
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
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> tag : value.properties()) {
            if (!tag.getValue().isTextual()) {
                throw new InvalidRequest("tag '" + tag.getKey() + "' must be a string", "invalid_request", "tags");
            }
            tags.put(tag.getKey(), tag.getValue().asText());
        }
        return tags;
    }
}
