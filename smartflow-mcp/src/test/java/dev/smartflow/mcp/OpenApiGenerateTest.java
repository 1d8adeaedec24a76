package dev.smartflow.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REST API made an MCP server from its OpenAPI spec (written here, as YAML): its operations become tools with input
 * schemas built from parameters and request bodies, and calls become HTTP requests to the API (a MockWebServer).
 */
class OpenApiGenerateTest {
    static final String SPEC = """
            openapi: 3.0.3
            info:
              title: Pet store
              version: 1.0.0
            servers:
              - url: https://pets.example.com/v1
            paths:
              /pets:
                get:
                  operationId: listPets
                  summary: List all pets
                  parameters:
                    - name: limit
                      in: query
                      description: How many at most
                      schema:
                        type: integer
                        maximum: 100
                  responses:
                    '200':
                      description: A page of pets
                post:
                  operationId: createPets
                  summary: Create a pet
                  requestBody:
                    required: true
                    content:
                      application/json:
                        schema:
                          $ref: '#/components/schemas/Pet'
                  responses:
                    '201':
                      description: Created
              /pets/{petId}:
                parameters:
                  - name: petId
                    in: path
                    required: true
                    description: The id of the pet
                    schema:
                      type: string
                get:
                  summary: Info for a specific pet
                  parameters:
                    - name: X-Trace
                      in: header
                      schema:
                        type: string
                    - name: session
                      in: cookie
                      schema:
                        type: string
                  responses:
                    '200':
                      description: The pet
                delete:
                  operationId: deletePet
                  responses:
                    '204':
                      description: Deleted
            components:
              schemas:
                Pet:
                  type: object
                  required: [name]
                  properties:
                    name:
                      type: string
                    tag:
                      type: string
            """;

    @TempDir
    Path data;
    TestGateway gateway;
    MockWebServer api;
    final List<RecordedRequest> received = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        api = new MockWebServer();
        api.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                received.add(request);
                String path = request.getUrl().encodedPath();
                if (path.equals("/v1/pets/missing")) {
                    return new MockResponse.Builder().code(404).addHeader("Content-Type", "application/json")
                            .body("{\"message\":\"no such pet\"}").build();
                }
                return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                        .body("{\"path\":\"" + path + "\",\"method\":\"" + request.getMethod() + "\"}").build();
            }
        });
        api.start();
        gateway = new TestGateway(data);
    }

    @AfterEach
    void stop() throws IOException {
        gateway.close();
        api.close();
    }

    private Http.Reply generate(ObjectNode request) {
        return Http.post(gateway.proxy("/api/mcp/generate"), request.toString(), "Authorization", TestGateway.M);
    }

    private ObjectNode request(String spec) {
        ObjectNode request = Http.JSON.createObjectNode().put("spec", spec).put("server_id", "pets")
                .put("server_name", "Pet store").put("base_url", api.url("/v1").toString());
        request.putArray("include_methods").add("GET").add("POST");
        request.put("auth_type", "bearer").putObject("auth").put("token", "api-token-1");
        return request;
    }

    @Test
    void theSpecsOperationsBecomeToolsWithSchemasFromParametersAndBodies() {
        Http.Reply generated = generate(request(SPEC));

        assertEquals(201, generated.status(), generated.body());
        assertEquals(List.of("listPets", "createPets", "get_pets_petId"), texts(generated.json().path("tools")));
        assertEquals("openapi", generated.json().path("server").path("transport").asText());
        assertFalse(generated.body().contains("api-token-1"));
        RpcClient client = RpcClient.legacy(gateway.proxy("/pets/mcp"), TestGateway.M);
        client.initialize("2025-11-25");
        JsonNode tools = client.result("tools/list", Http.JSON.createObjectNode()).path("tools");
        JsonNode list = tools.get(0);
        assertEquals("List all pets", list.path("description").asText());
        assertEquals("integer", list.path("inputSchema").path("properties").path("limit").path("type").asText());
        assertEquals("How many at most", list.path("inputSchema").path("properties").path("limit")
                .path("description").asText());
        JsonNode create = tools.get(1).path("inputSchema");
        assertEquals(List.of("body"), texts(create.path("required")));
        assertEquals(List.of("name"), texts(create.path("properties").path("body").path("required")));
        JsonNode show = tools.get(2).path("inputSchema");
        assertEquals(List.of("petId"), texts(show.path("required")));
        assertTrue(show.path("properties").has("X-Trace"));
        assertFalse(show.path("properties").has("session"));
    }

    @Test
    void callsBecomeHttpRequestsToTheApi() throws Exception {
        generate(request(SPEC));
        RpcClient client = RpcClient.legacy(gateway.proxy("/pets/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        JsonNode shown = client.callTool("get_pets_petId", Http.JSON.createObjectNode().put("petId", "a/b c")
                .put("X-Trace", "t-1"));
        ObjectNode pet = Http.JSON.createObjectNode();
        pet.putObject("body").put("name", "Rex").put("tag", "dog");
        JsonNode created = client.callTool("createPets", pet);
        JsonNode listed = client.callTool("listPets", Http.JSON.createObjectNode().put("limit", 5));
        JsonNode missing = client.callTool("get_pets_petId", Http.JSON.createObjectNode().put("petId", "missing"));

        assertEquals("/v1/pets/a%2Fb%20c", shown.path("structuredContent").path("path").asText());
        RecordedRequest get = received.get(0);
        assertEquals("GET", get.getMethod());
        assertEquals("t-1", get.getHeaders().get("X-Trace"));
        assertEquals("Bearer api-token-1", get.getHeaders().get("Authorization"));
        RecordedRequest post = received.get(1);
        assertEquals("POST", post.getMethod());
        assertEquals(Http.JSON.readTree("{\"name\":\"Rex\",\"tag\":\"dog\"}"), Http.JSON.readTree(post.getBody()
                .utf8()));
        assertEquals("POST", created.path("structuredContent").path("method").asText());
        assertEquals("5", received.get(2).getUrl().queryParameter("limit"));
        assertEquals("GET", listed.path("structuredContent").path("method").asText());
        assertTrue(missing.path("isError").asBoolean());
        assertEquals("no such pet", missing.path("structuredContent").path("message").asText());
    }

    @Test
    void aMissingRequiredArgumentIsInvalidParamsAndSendsNothing() {
        generate(request(SPEC));
        RpcClient client = RpcClient.legacy(gateway.proxy("/pets/mcp"), TestGateway.M);
        client.initialize("2025-11-25");

        JsonNode error = client.error("tools/call", AccessControlTest.call("get_pets_petId",
                Http.JSON.createObjectNode()));

        assertEquals(-32602, error.path("code").asInt());
        assertTrue(received.isEmpty());
    }

    @Test
    void badSpecsAreRefusedAndRegisterNothing() {
        ObjectNode external = request(SPEC.replace("'#/components/schemas/Pet'", "'https://evil.example.com/pet.json'"));
        ObjectNode swagger2 = request("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
        ObjectNode garbage = request("{ not: [ yaml");
        ObjectNode noMethods = request(SPEC);
        noMethods.putArray("include_methods").add("PATCH");

        for (ObjectNode bad : List.of(external, swagger2, garbage, noMethods)) {
            Http.Reply reply = generate(bad);
            assertEquals(400, reply.status(), reply.body());
        }
        assertEquals(0, Http.get(gateway.proxy("/api/mcp/servers"), "Authorization", TestGateway.M).json()
                .path("total").asInt());
        assertTrue(received.isEmpty());
    }

    @Test
    void generatingTakesTheMasterKeyAndAnIdOnlyOnce() {
        assertEquals(401, Http.post(gateway.proxy("/api/mcp/generate"), request(SPEC).toString()).status());
        assertEquals(201, generate(request(SPEC)).status());
        assertEquals(409, generate(request(SPEC)).status());
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
