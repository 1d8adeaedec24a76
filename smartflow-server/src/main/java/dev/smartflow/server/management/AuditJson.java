package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.routing.AttemptOutcome;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.KeyId;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * An audit record as the management API and the bridge show it: its fields in snake case, cost in USD with six
 * decimals, latency in milliseconds with three. Never a token or a token's hash: records hold neither.
 */
public final class AuditJson {
    private AuditJson() {
    }

    public static ObjectNode describe(AuditRecord record) {
        ObjectNode node = Body.MAPPER.createObjectNode();
        node.put("request_id", record.requestId());
        node.put("timestamp", record.timestamp().toString());
        put(node, "key_id", record.keyId().map(KeyId::value));
        put(node, "user_id", record.userId());
        put(node, "org_id", record.orgId());
        put(node, "team_id", record.teamId());
        node.put("route", record.route());
        node.put("provider", record.provider());
        node.put("model", record.model());
        node.put("prompt_tokens", record.promptTokens());
        node.put("completion_tokens", record.completionTokens());
        node.put("cost_usd", BigDecimal.valueOf(record.costMicros(), 6));
        node.put("cached", record.cached());
        put(node, "hit_type", record.hitType());
        if (record.complianceScore().isPresent()) {
            node.put("compliance_score", record.complianceScore().getAsDouble());
        } else {
            node.putNull("compliance_score");
        }
        ArrayNode flags = node.putArray("compliance_flags");
        record.complianceFlags().forEach(flags::add);
        node.put("latency_ms", BigDecimal.valueOf(record.latencyMicros(), 3));
        node.put("status", record.status());
        put(node, "error", record.error());
        node.set("attempts", AttemptOutcome.toJson(record.attempts()));
        put(node, "trace_id", record.traceId());
        return node;
    }

    private static void put(ObjectNode node, String field, Optional<String> value) {
        if (value.isPresent()) {
            node.put(field, value.get());
        } else {
            node.putNull(field);
        }
    }

}
