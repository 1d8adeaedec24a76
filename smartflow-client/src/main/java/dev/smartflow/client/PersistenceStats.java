package dev.smartflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** How the compliance engine keeps its learnt data: the answer as the compliance service sends it. */
public record PersistenceStats(JsonNode json) {
    public PersistenceStats {
        Objects.requireNonNull(json, "json");
    }

    /** A whole-number figure of the answer by name ({@code 0} when absent). */
    public long figure(String name) {
        return Json.number(json, name);
    }
}
