package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.compliance.policy.PolicyGateway.Answer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Policy Perfect API as a client sees it, over HTTP against a real server: policies, presets, assignments, a key's
 * effective policies, stats, validation and authentication. Run on every database the server supports: a subclass
 * says which ({@link #database()}). One gateway serves the whole class; each test uses names of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PolicyApiContract {
    static final String HIPAA = """
            {"name": "HIPAA PHI Protection",
             "description": "Prevent transmission of protected health information",
             "policy_type": "compliance",
             "content": "Do not include patient names, diagnoses, medical record numbers, or any PHI in AI responses.",
             "priority": 90,
             "applicable_providers": ["all"],
             "applicable_models": ["all"],
             "regulatory_framework": "HIPAA",
             "severity": "critical",
             "metadata": {"departments": ["clinical", "billing"], "ad_groups": ["clinicians", "admins"]}}""";

    private FakeOpenAi upstream;
    protected PolicyGateway gateway;

    /** The environment that points the server at the database under test; empty for H2 in the data directory. */
    protected abstract Map<String, String> database();

    /** Where the server keeps its files. */
    protected abstract Path dataDir();

    @BeforeAll
    void start() throws Exception {
        upstream = new FakeOpenAi();
        gateway = new PolicyGateway(dataDir(), upstream, "", Optional.of(new WordsEmbedder()), database());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private JsonNode create(String json) {
        Answer created = gateway.admin("POST", "/api/policies", json);
        assertEquals(201, created.status(), created.body());
        return created.json().path("policy");
    }

    private JsonNode policy(String name, int priority) {
        return create("{\"name\":\"" + name + "\",\"policy_type\":\"brand\",\"content\":\"Rule " + name + ".\","
                + "\"priority\":" + priority + "}");
    }

    private int count() {
        return gateway.admin("GET", "/api/policies", null).json().path("total").asInt();
    }

    // --- authentication

    @Test
    void everyRouteWantsTheMasterKey() {
        PolicyGateway.Key key = gateway.key(unique("k"), "alice", Map.of());
        for (String path : List.of("/api/stats", "/api/policies", "/api/presets", "/api/assignments",
                "/api/policies/generate")) {
            Answer none = gateway.send("GET", gateway.policy(path), null);
            Answer virtual = gateway.send("GET", gateway.policy(path), null, "Authorization", "Bearer " + key.token());
            assertEquals(401, none.status(), path);
            assertEquals(401, virtual.status(), path);
            assertFalse(virtual.body().contains(key.token()));
        }
        assertEquals(200, gateway.send("GET", gateway.policy("/health"), null).status());
    }

    // --- policies

    @Test
    void aPolicyIsCreatedReadListedAndDeletedWithTheReferencesFields() {
        JsonNode created = create(HIPAA);
        String id = created.path("id").asText();

        assertTrue(id.startsWith("pol_"), id);
        assertEquals("HIPAA PHI Protection", created.path("name").asText());
        assertEquals("compliance", created.path("policy_type").asText());
        assertEquals(90, created.path("priority").asInt());
        assertEquals("critical", created.path("severity").asText());
        assertEquals("block", created.path("action").asText(), "critical policies block unless told otherwise");
        assertEquals("HIPAA", created.path("regulatory_framework").asText());
        assertEquals("[\"clinical\",\"billing\"]", created.path("metadata").path("departments").toString());
        assertEquals("[]", created.path("metadata").path("source_ips").toString());
        assertTrue(created.path("is_active").asBoolean());
        assertEquals(created, gateway.admin("GET", "/api/policies/" + id, null).json().path("policy"));
        assertTrue(ids(gateway.admin("GET", "/api/policies", null).json().path("policies")).contains(id));

        Answer deleted = gateway.admin("DELETE", "/api/policies/" + id, null);
        assertEquals(200, deleted.status());
        Answer gone = gateway.admin("GET", "/api/policies/" + id, null);
        assertEquals(404, gone.status());
        assertEquals("policy_not_found", gone.errorCode());
        assertEquals(404, gateway.admin("DELETE", "/api/policies/" + id, null).status());
    }

    @Test
    void aPolicyMayBringItsOwnIdOnce() {
        String id = unique("pol_own_");
        create("{\"id\":\"" + id + "\",\"name\":\"Own\",\"policy_type\":\"legal\",\"content\":\"x\"}");

        Answer again = gateway.admin("POST", "/api/policies", "{\"id\":\"" + id
                + "\",\"name\":\"Other\",\"policy_type\":\"legal\",\"content\":\"y\"}");
        Answer reserved = gateway.admin("POST", "/api/policies",
                "{\"id\":\"generate\",\"name\":\"R\",\"policy_type\":\"legal\",\"content\":\"y\"}");

        assertEquals(409, again.status());
        assertEquals("policy_exists", again.errorCode());
        assertEquals("Own", gateway.admin("GET", "/api/policies/" + id, null).json().path("policy").path("name")
                .asText());
        assertEquals(400, reserved.status());
        assertEquals("id", reserved.errorParam());
    }

    @Test
    void anInvalidPolicyIsRefusedNamingTheFieldAndNothingIsStored() {
        int before = count();
        String valid = "\"name\":\"V\",\"policy_type\":\"brand\",\"content\":\"c\"";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"policy_type\":\"brand\",\"content\":\"c\"}", "name");
        cases.put("{\"name\":\"V\",\"policy_type\":\"weird\",\"content\":\"c\"}", "policy_type");
        cases.put("{\"name\":\"V\",\"policy_type\":\"brand\"}", "content");
        cases.put("{" + valid + ",\"priority\":101}", "priority");
        cases.put("{" + valid + ",\"priority\":5.5}", "priority");
        cases.put("{" + valid + ",\"priority\":\"10\"}", "priority");
        cases.put("{" + valid + ",\"applicable_models\":[]}", "applicable_models");
        cases.put("{" + valid + ",\"applicable_models\":[\"gpt-4o\", 1]}", "applicable_models[1]");
        cases.put("{" + valid + ",\"applicable_providers\":\"openai\"}", "applicable_providers");
        cases.put("{" + valid + ",\"severity\":\"urgent\"}", "severity");
        cases.put("{" + valid + ",\"action\":\"quarantine\"}", "action");
        cases.put("{" + valid + ",\"metadata\":{\"source_ips\":[\"10.0.0.0/8\",\"intranet\"]}}",
                "metadata.source_ips[1]");
        cases.put("{" + valid + ",\"metadata\":{\"teams\":[\"x\"]}}", "metadata.teams");
        cases.put("{" + valid + ",\"metadata\":[1]}", "metadata");
        cases.put("{" + valid + ",\"detectors\":[\"email\",\"tarot\"]}", "detectors[1]");
        cases.put("{" + valid + ",\"is_active\":\"yes\"}", "is_active");
        cases.put("{" + valid + ",\"colour\":\"red\"}", "colour");
        cases.put("{\"name\":\"bad\\u0000name\",\"policy_type\":\"brand\",\"content\":\"c\"}", "name");
        cases.put("{\"name\":\"V\",\"policy_type\":\"brand\",\"content\":\"" + "x".repeat(40_000) + "\"}", "content");
        cases.put("{" + valid + ",\"id\":\"has space\"}", "id");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Answer refused = gateway.admin("POST", "/api/policies", c.getKey());
            assertEquals(400, refused.status(), c.getValue() + ": " + refused.body());
            assertEquals(c.getValue(), refused.errorParam(), refused.body());
            assertEquals("invalid_request_error", refused.json().path("error").path("type").asText());
        }
        Answer notJson = gateway.admin("POST", "/api/policies", "{\"name\":");
        Answer notObject = gateway.admin("POST", "/api/policies", "[1,2]");
        assertEquals("invalid_json", notJson.errorCode());
        assertEquals(400, notObject.status());
        assertEquals(before, count());
    }

    @Test
    void aPatchChangesOnlyTheFieldsSent() {
        JsonNode created = create(HIPAA);
        String id = created.path("id").asText();

        Answer patched = gateway.admin("PATCH", "/api/policies/" + id,
                "{\"priority\": 10, \"is_active\": false, \"regulatory_framework\": null}");

        assertEquals(200, patched.status(), patched.body());
        JsonNode policy = patched.json().path("policy");
        ObjectNode expected = created.deepCopy();
        expected.put("priority", 10).put("is_active", false).putNull("regulatory_framework");
        expected.set("updated_at", policy.path("updated_at"));
        assertEquals(expected, policy);
        assertEquals(policy, gateway.admin("GET", "/api/policies/" + id, null).json().path("policy"));

        Answer nullName = gateway.admin("PATCH", "/api/policies/" + id, "{\"name\": null}");
        Answer otherId = gateway.admin("PATCH", "/api/policies/" + id, "{\"id\": \"pol_other\"}");
        Answer badMetadata = gateway.admin("PATCH", "/api/policies/" + id,
                "{\"metadata\": {\"source_ips\": [\"300.1.1.1\"]}}");
        assertEquals("name", nullName.errorParam());
        assertEquals("id", otherId.errorParam());
        assertEquals("metadata.source_ips[0]", badMetadata.errorParam());
        assertEquals(policy, gateway.admin("GET", "/api/policies/" + id, null).json().path("policy"));
        assertEquals(404, gateway.admin("PATCH", "/api/policies/pol_nobody", "{\"priority\": 1}").status());
    }

    @Test
    void aPutReplacesThePolicyWholeAndAReadCanBeSentBack() {
        JsonNode created = create(HIPAA);
        String id = created.path("id").asText();
        ObjectNode edited = created.deepCopy();
        edited.put("content", "No PHI at all.");

        Answer roundTrip = gateway.admin("PUT", "/api/policies/" + id, edited.toString());
        Answer minimal = gateway.admin("PUT", "/api/policies/" + id,
                "{\"name\":\"Minimal\",\"policy_type\":\"format\",\"content\":\"Answer in JSON.\"}");

        assertEquals(200, roundTrip.status(), roundTrip.body());
        assertEquals("No PHI at all.", roundTrip.json().path("policy").path("content").asText());
        assertEquals("block", roundTrip.json().path("policy").path("action").asText());
        JsonNode replaced = minimal.json().path("policy");
        assertEquals("Minimal", replaced.path("name").asText());
        assertEquals("", replaced.path("description").asText());
        assertEquals(50, replaced.path("priority").asInt());
        assertEquals("medium", replaced.path("severity").asText());
        assertEquals("log", replaced.path("action").asText());
        assertTrue(replaced.path("regulatory_framework").isNull());
        assertEquals(created.path("created_at"), replaced.path("created_at"));
        assertEquals(400, gateway.admin("PUT", "/api/policies/" + id, "{\"name\":\"No type\"}").status());
    }

    @Test
    void theListFiltersByActivityAndTypeHighestPriorityFirst() {
        String tag = unique("list-");
        JsonNode low = policy(tag + "-low", 5);
        JsonNode high = policy(tag + "-high", 95);
        JsonNode off = policy(tag + "-off", 50);
        gateway.admin("PATCH", "/api/policies/" + off.path("id").asText(), "{\"is_active\": false}");

        List<String> all = ids(gateway.admin("GET", "/api/policies", null).json().path("policies"));
        List<String> active = ids(gateway.admin("GET", "/api/policies?is_active=true&policy_type=brand", null).json()
                .path("policies"));

        assertTrue(all.indexOf(high.path("id").asText()) < all.indexOf(off.path("id").asText()));
        assertTrue(all.indexOf(off.path("id").asText()) < all.indexOf(low.path("id").asText()));
        assertTrue(active.contains(low.path("id").asText()));
        assertFalse(active.contains(off.path("id").asText()));
        assertEquals("is_active", gateway.admin("GET", "/api/policies?is_active=maybe", null).errorParam());
    }

    // --- presets

    @Test
    void aPresetAnswersWithItsPoliciesInOrder() {
        String a = policy(unique("a-"), 50).path("id").asText();
        String b = policy(unique("b-"), 50).path("id").asText();
        String c = policy(unique("c-"), 50).path("id").asText();

        Answer created = gateway.admin("POST", "/api/presets", "{\"name\":\"Healthcare Standard\","
                + "\"description\":\"Default policy set for all clinical staff\","
                + "\"use_case\":\"Clinical AI assistant\",\"policy_ids\":[\"" + c + "\",\"" + a + "\",\"" + b + "\"]}");

        assertEquals(201, created.status(), created.body());
        JsonNode preset = created.json().path("preset");
        String id = preset.path("id").asText();
        assertEquals(List.of(c, a, b), ids(preset.path("policies")));
        assertEquals("Clinical AI assistant", preset.path("use_case").asText());
        assertEquals(preset, gateway.admin("GET", "/api/presets/" + id, null).json().path("preset"));
        assertTrue(ids(gateway.admin("GET", "/api/presets", null).json().path("presets")).contains(id));

        Answer reordered = gateway.admin("PUT", "/api/presets/" + id,
                "{\"name\":\"Healthcare\",\"policy_ids\":[\"" + b + "\",\"" + c + "\"]}");
        assertEquals(List.of(b, c), ids(reordered.json().path("preset").path("policies")));

        gateway.admin("DELETE", "/api/policies/" + c, null);
        assertEquals(List.of(b), ids(gateway.admin("GET", "/api/presets/" + id, null).json().path("preset")
                .path("policies")));
        assertEquals(200, gateway.admin("DELETE", "/api/presets/" + id, null).status());
        assertEquals("preset_not_found", gateway.admin("GET", "/api/presets/" + id, null).errorCode());
    }

    @Test
    void aPresetNamesOnlyExistingPoliciesEachOnce() {
        String a = policy(unique("a-"), 50).path("id").asText();

        Answer unknown = gateway.admin("POST", "/api/presets", "{\"name\":\"P\",\"policy_ids\":[\"" + a
                + "\",\"pol_nobody\"]}");
        Answer twice = gateway.admin("POST", "/api/presets", "{\"name\":\"P\",\"policy_ids\":[\"" + a + "\",\"" + a
                + "\"]}");
        Answer noName = gateway.admin("POST", "/api/presets", "{\"policy_ids\":[]}");

        assertEquals("policy_ids[1]", unknown.errorParam());
        assertEquals("policy_ids[1]", twice.errorParam());
        assertEquals("name", noName.errorParam());
    }

    // --- assignments and effective policies

    @Test
    void assignmentsAreMadeListedAndRemovedAndRefusedWhenWrong() {
        String policy = policy(unique("asg-"), 50).path("id").asText();
        String preset = gateway.admin("POST", "/api/presets", "{\"name\":\"P\",\"policy_ids\":[\"" + policy
                + "\"]}").json().path("preset").path("id").asText();
        String team = unique("team-");

        Answer made = gateway.admin("POST", "/api/assignments", "{\"scope\":\"team\",\"target\":\"" + team
                + "\",\"preset_id\":\"" + preset + "\"}");
        Answer again = gateway.admin("POST", "/api/assignments", "{\"scope\":\"team\",\"target\":\"" + team
                + "\",\"preset_id\":\"" + preset + "\"}");

        assertEquals(201, made.status(), made.body());
        String id = made.json().path("assignment").path("id").asText();
        assertEquals("team", made.json().path("assignment").path("scope").asText());
        assertEquals(preset, made.json().path("assignment").path("preset_id").asText());
        assertEquals(409, again.status());
        assertEquals("assignment_exists", again.errorCode());
        assertEquals(List.of(id), ids(gateway.admin("GET", "/api/assignments?scope=team&target=" + team, null)
                .json().path("assignments")));

        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{\"scope\":\"planet\",\"target\":\"x\",\"policy_id\":\"" + policy + "\"}", "scope");
        refusals.put("{\"scope\":\"global\",\"target\":\"x\",\"policy_id\":\"" + policy + "\"}", "target");
        refusals.put("{\"scope\":\"team\",\"policy_id\":\"" + policy + "\"}", "target");
        refusals.put("{\"scope\":\"key\",\"target\":\"key_nobody\",\"policy_id\":\"" + policy + "\"}", "target");
        refusals.put("{\"scope\":\"tag\",\"target\":\"novalue\",\"policy_id\":\"" + policy + "\"}", "target");
        refusals.put("{\"scope\":\"team\",\"target\":\"t\",\"policy_id\":\"" + policy + "\",\"preset_id\":\""
                + preset + "\"}", "policy_id");
        refusals.put("{\"scope\":\"team\",\"target\":\"t\"}", "preset_id");
        refusals.put("{\"scope\":\"team\",\"target\":\"t\",\"preset_id\":\"pre_nobody\"}", "preset_id");
        refusals.put("{\"scope\":\"team\",\"target\":\"t\",\"policy_id\":\"pol_nobody\"}", "policy_id");
        for (Map.Entry<String, String> r : refusals.entrySet()) {
            Answer refused = gateway.admin("POST", "/api/assignments", r.getKey());
            assertEquals(400, refused.status(), r.getKey());
            assertEquals(r.getValue(), refused.errorParam(), r.getKey() + " -> " + refused.body());
        }

        assertEquals(200, gateway.admin("DELETE", "/api/assignments/" + id, null).status());
        assertEquals("assignment_not_found", gateway.admin("DELETE", "/api/assignments/" + id, null).errorCode());
    }

    @Test
    void aKeysEffectivePoliciesAreItsAssignedAndUnassignedOnesInOrder() {
        String team = unique("team-");
        PolicyGateway.Key key = gateway.key(unique("k"), "alice", Map.of("team", team, "department", "clinical"));
        String clinical = create("{\"name\":\"Clinical\",\"policy_type\":\"industry\",\"content\":\"c\","
                + "\"priority\":90,\"applicable_models\":[\"gpt-4o\"]}").path("id").asText();
        String otherTeam = policy(unique("other-"), 80).path("id").asText();
        String preset = gateway.admin("POST", "/api/presets", "{\"name\":\"T\",\"policy_ids\":[\"" + clinical
                + "\"]}").json().path("preset").path("id").asText();
        gateway.admin("POST", "/api/assignments", "{\"scope\":\"team\",\"target\":\"" + team + "\",\"preset_id\":\""
                + preset + "\"}");
        gateway.admin("POST", "/api/assignments", "{\"scope\":\"team\",\"target\":\"" + unique("t-")
                + "\",\"policy_id\":\"" + otherTeam + "\"}");
        String everyone = policy(unique("everyone-"), 1).path("id").asText();

        JsonNode byId = gateway.admin("GET", "/api/keys/" + key.id() + "/policies", null).json();
        JsonNode byToken = gateway.admin("GET", "/api/keys/" + key.token() + "/policies", null).json();
        JsonNode mini = gateway.admin("GET", "/api/keys/" + key.id() + "/policies?provider=openai&model=gpt-4o-mini",
                null).json();

        List<String> effective = ids(byId.path("policies"));
        assertEquals(clinical, effective.getFirst());
        assertTrue(effective.contains(everyone));
        assertFalse(effective.contains(otherTeam));
        assertEquals(preset, byId.path("policies").get(0).path("via").get(0).path("preset_id").asText());
        assertEquals(0, byId.path("policies").get(effective.indexOf(everyone)).path("via").size());
        assertEquals(byId, byToken);
        assertFalse(ids(mini.path("policies")).contains(clinical));
        assertTrue(ids(mini.path("policies")).contains(everyone));
        Answer unknown = gateway.admin("GET", "/api/keys/sk-sf-" + "0".repeat(48) + "/policies", null);
        assertEquals("key_not_found", unknown.errorCode());
        assertFalse(unknown.body().contains("0".repeat(48)));
    }

    @Test
    void statsCountTheLibrary() {
        JsonNode before = gateway.admin("GET", "/api/stats", null).json();
        policy(unique("s-"), 5);
        gateway.admin("POST", "/api/presets", "{\"name\":\"S\"}");

        JsonNode after = gateway.admin("GET", "/api/stats", null).json();

        assertTrue(after.path("success").asBoolean());
        assertEquals(before.path("total_policies").asInt() + 1, after.path("total_policies").asInt());
        assertEquals(before.path("total_presets").asInt() + 1, after.path("total_presets").asInt());
        for (String field : List.of("total_applications", "compliance_violations", "active_policies")) {
            assertTrue(after.has(field), field);
        }
        assertNotEquals(0, after.path("total_policies").asInt());
    }

    static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(node -> ids.add(node.path("id").asText()));
        return ids;
    }
}
