package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** An organisation's behavioural baseline, against which anomalies are measured. */
public record OrgBaseline(String orgId, double violationRate, JsonNode json) {
    public OrgBaseline {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(json, "json");
    }

    static OrgBaseline from(JsonNode body, String orgId) {
        JsonNode baseline = body.path("baseline").isObject() ? body.path("baseline") : body;
        return new OrgBaseline(Json.text(baseline, "org_id", orgId), Json.decimal(baseline, "violation_rate"), body);
    }
}
