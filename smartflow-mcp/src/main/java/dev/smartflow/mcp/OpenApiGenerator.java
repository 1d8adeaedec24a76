package dev.smartflow.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.smartflow.core.error.InvalidRequest;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Makes an MCP server of a REST API ({@code POST /api/mcp/generate}): reads an OpenAPI 3.x spec (JSON or YAML) with
 * swagger-parser, and turns each of its operations whose method is asked for into a tool.
 *
 * <ul>
 *   <li><b>Name:</b> the {@code operationId} (characters outside letters, digits, {@code _ - .} become {@code _}),
 *       else {@code <method>_<path>} (e.g. {@code get_repos_owner_issues}); a name taken twice gets a number.</li>
 *   <li><b>Description:</b> the summary and the description.</li>
 *   <li><b>Input schema:</b> an object with one property per path, query and header parameter (its schema and
 *       description; required as the spec says, path parameters always), and the JSON request body, when there is
 *       one, as {@code body} ({@code request_body} if a parameter is named {@code body}). Internal {@code $ref}s are
 *       inlined, so each schema stands alone; a spec with external references is refused, since resolving them would
 *       make the gateway fetch URLs a caller chose.</li>
 * </ul>
 * Cookie parameters are left out. The generated operations are stored with the server ({@link OpenApiOperation}),
 * and {@link OpenApiUpstream} turns calls into HTTP requests.
 */
final class OpenApiGenerator {
    static final List<String> DEFAULT_METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenApiGenerator() {
    }

    /** The generated transport: the operations of {@code spec} whose methods are in {@code methods}. */
    static ObjectNode transport(String spec, Optional<String> baseUrl, List<String> methods) {
        rejectExternalReferences(spec);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        options.setSafelyResolveURL(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(spec, null, options);
        OpenAPI api = parsed.getOpenAPI();
        if (api == null || api.getPaths() == null) {
            List<String> messages = parsed.getMessages() == null ? List.of() : parsed.getMessages();
            throw JsonFields.invalid("'spec' is not an OpenAPI 3 document" + (messages.isEmpty() ? ""
                    : ": " + shorten(String.join("; ", messages.subList(0, Math.min(3, messages.size()))))), "spec");
        }
        String base = baseUrl.orElseGet(() -> firstServer(api));
        ServerDefinition.httpUrl(base, "base_url");
        ObjectNode transport = JSON.createObjectNode().put("base_url", base);
        ArrayNode operations = transport.putArray("operations");
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> entry : path.getValue().readOperationsMap().entrySet()) {
                String method = entry.getKey().name();
                if (!methods.contains(method)) {
                    continue;
                }
                List<Parameter> parameters = new ArrayList<>();
                if (path.getValue().getParameters() != null) {
                    parameters.addAll(path.getValue().getParameters());
                }
                if (entry.getValue().getParameters() != null) {
                    parameters.addAll(entry.getValue().getParameters());
                }
                operations.add(operation(path.getKey(), method, entry.getValue(), parameters, names));
                if (operations.size() > OpenApiOperation.MAX_OPERATIONS) {
                    throw JsonFields.invalid("the spec has more than " + OpenApiOperation.MAX_OPERATIONS
                            + " operations", "spec");
                }
            }
        }
        if (operations.isEmpty()) {
            throw JsonFields.invalid("the spec has no operations of the methods " + methods, "include_methods");
        }
        return transport;
    }

    private static ObjectNode operation(String path, String method, Operation operation, List<Parameter> parameters,
                                        Set<String> names) {
        ObjectNode json = JSON.createObjectNode();
        String name = unique(toolName(operation.getOperationId(), method, path), names);
        json.put("name", name);
        String summary = Optional.ofNullable(operation.getSummary()).orElse("");
        String details = Optional.ofNullable(operation.getDescription()).orElse("");
        String description = summary.isEmpty() ? details : details.isEmpty() || details.equals(summary) ? summary
                : summary + "\n\n" + details;
        json.put("description", shorten(description.strip(), 8000));
        json.put("method", method).put("path", path);
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JSON.createArrayNode();
        ArrayNode params = json.putArray("parameters");
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter parameter : parameters) {
            if (parameter.getName() != null && parameter.getIn() != null && !parameter.getIn().equals("cookie")) {
                byName.put(parameter.getIn() + ":" + parameter.getName(), parameter);
            }
        }
        for (Parameter parameter : byName.values()) {
            boolean isRequired = parameter.getIn().equals("path") || Boolean.TRUE.equals(parameter.getRequired());
            params.addObject().put("name", parameter.getName()).put("in", parameter.getIn())
                    .put("required", isRequired);
            ObjectNode property = schemaJson(parameter.getSchema());
            if (parameter.getDescription() != null && !property.has("description")) {
                property.put("description", parameter.getDescription());
            }
            properties.set(parameter.getName(), property);
            if (isRequired) {
                required.add(parameter.getName());
            }
        }
        RequestBody body = operation.getRequestBody();
        Optional<Map.Entry<String, MediaType>> content = jsonContent(body == null ? null : body.getContent());
        if (content.isPresent()) {
            String argument = properties.has("body") ? "request_body" : "body";
            ObjectNode property = schemaJson(content.get().getValue().getSchema());
            if (body.getDescription() != null && !property.has("description")) {
                property.put("description", body.getDescription());
            }
            properties.set(argument, property);
            if (Boolean.TRUE.equals(body.getRequired())) {
                required.add(argument);
            }
            json.putObject("body").put("argument", argument).put("content_type", content.get().getKey());
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        json.set("input_schema", schema);
        return json;
    }

    private static Optional<Map.Entry<String, MediaType>> jsonContent(Content content) {
        if (content == null) {
            return Optional.empty();
        }
        return content.entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).contains("json"))
                .findFirst();
    }

    /** A schema of the spec as JSON Schema text; an absent one accepts anything. */
    private static ObjectNode schemaJson(Schema<?> schema) {
        if (schema == null) {
            return JSON.createObjectNode();
        }
        JsonNode converted = Json.mapper().convertValue(schema, JsonNode.class);
        return converted instanceof ObjectNode object ? JSON.valueToTree(object) : JSON.createObjectNode();
    }

    static String toolName(String operationId, String method, String path) {
        String base = operationId != null && !operationId.isBlank() ? operationId
                : method.toLowerCase(Locale.ROOT) + "_" + path.replaceAll("[{}]", "");
        String cleaned = base.replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (cleaned.isEmpty()) {
            cleaned = method.toLowerCase(Locale.ROOT);
        }
        return cleaned.length() > 120 ? cleaned.substring(0, 120) : cleaned;
    }

    private static String unique(String name, Set<String> names) {
        String candidate = name;
        for (int i = 2; !names.add(candidate); i++) {
            candidate = name + "_" + i;
        }
        return candidate;
    }

    private static String firstServer(OpenAPI api) {
        List<Server> servers = api.getServers();
        if (servers == null || servers.isEmpty() || servers.getFirst().getUrl() == null
                || !servers.getFirst().getUrl().matches("(?i)https?://.+")) {
            throw new InvalidRequest("give 'base_url': the spec names no absolute server URL", "invalid_request",
                    "base_url");
        }
        return servers.getFirst().getUrl();
    }

    /** Refuses a spec whose {@code $ref}s point outside it (a URL or another file). */
    private static void rejectExternalReferences(String spec) {
        JsonNode tree;
        try {
            tree = YAML.readTree(spec);
        } catch (JsonProcessingException e) {
            throw JsonFields.invalid("'spec' is neither JSON nor YAML", "spec");
        }
        if (tree == null || !tree.isObject()) {
            throw JsonFields.invalid("'spec' is not an OpenAPI document", "spec");
        }
        String version = tree.path("openapi").asText("");
        if (!version.startsWith("3.")) {
            throw JsonFields.invalid("'spec' must be OpenAPI 3.x (its 'openapi' field names " + (version.isEmpty()
                    ? "no version" : shorten(version, 20)) + ")", "spec");
        }
        List<JsonNode> pending = new ArrayList<>(List.of(tree));
        while (!pending.isEmpty()) {
            JsonNode node = pending.removeLast();
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual() && !ref.textValue().startsWith("#")) {
                throw JsonFields.invalid("'spec' refers outside itself ($ref " + shorten(ref.textValue(), 80)
                        + "): inline the referenced definitions", "spec");
            }
            node.forEach(pending::add);
        }
    }

    private static String shorten(String text) {
        return shorten(text, 300);
    }

    private static String shorten(String text, int max) {
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }
}
