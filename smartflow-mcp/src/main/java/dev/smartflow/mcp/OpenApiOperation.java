package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP operation of an OpenAPI spec served as an MCP tool: its name and description, the input schema the
 * client sees (one property per parameter, and the request body under {@link #bodyArgument}), and how a call's
 * arguments become the request (path, query and header parameters, a JSON body).
 *
 * @param method       the HTTP method, upper case
 * @param path         the path template, e.g. {@code /repos/{owner}/issues}, appended to the server's base URL
 * @param parameters   the path, query and header parameters, each an argument of the same name
 * @param bodyArgument the argument that carries the request body, when the operation takes one
 */
record OpenApiOperation(String name, String description, String method, String path, List<Parameter> parameters,
                        Optional<String> bodyArgument, Optional<String> bodyContentType, ObjectNode inputSchema) {
    static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE");
    static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Set<String> TRANSPORT_FIELDS = Set.of("base_url", "operations");
    private static final Set<String> FIELDS = Set.of("name", "description", "method", "path", "parameters", "body",
            "input_schema");
    private static final Set<String> PARAMETER_FIELDS = Set.of("name", "in", "required");
    private static final Set<String> BODY_FIELDS = Set.of("argument", "content_type");
    static final int MAX_OPERATIONS = 1000;

    OpenApiOperation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(bodyArgument, "bodyArgument");
        Objects.requireNonNull(bodyContentType, "bodyContentType");
        inputSchema = inputSchema.deepCopy();
    }

    /** Where a parameter goes in the request. */
    enum Location {
        PATH, QUERY, HEADER;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Parameter(String name, Location in, boolean required) {
        Parameter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(in, "in");
        }
    }

    /** The tool as MCP's {@code tools/list} describes it. */
    ObjectNode tool() {
        ObjectNode tool = Body.MAPPER.createObjectNode().put("name", name);
        if (!description.isEmpty()) {
            tool.put("description", description);
        }
        tool.set("inputSchema", inputSchema.deepCopy());
        return tool;
    }

    /** Reads a server's {@code openapi} field as the registry API and the database write it. */
    static ServerDefinition.OpenApi transport(JsonNode json, String param) {
        JsonFields fields = JsonFields.of(json, param + ".", TRANSPORT_FIELDS);
        URI baseUrl = ServerDefinition.httpUrl(fields.requiredText("base_url", 2048), param + ".base_url");
        JsonNode list = fields.raw("operations");
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_OPERATIONS) {
            throw JsonFields.invalid("'" + param + ".operations' must be a list of 1 to " + MAX_OPERATIONS
                    + " operations", param + ".operations");
        }
        List<OpenApiOperation> operations = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            OpenApiOperation operation = parse(list.get(i), param + ".operations[" + i + "]");
            if (!names.add(operation.name())) {
                throw JsonFields.invalid("two operations are named " + operation.name(), param + ".operations");
            }
            operations.add(operation);
        }
        return new ServerDefinition.OpenApi(baseUrl, operations);
    }

    private static OpenApiOperation parse(JsonNode json, String param) {
        JsonFields fields = JsonFields.of(json, param + ".", FIELDS);
        String name = fields.requiredText("name", ServerDefinition.MAX_TOOL_NAME);
        if (!TOOL_NAME.matcher(name).matches()) {
            throw JsonFields.invalid("'" + param + ".name' must be 1 to 128 letters, digits, '_', '-' or '.'",
                    param + ".name");
        }
        String description = fields.text("description", 8192).orElse("");
        String method = fields.requiredText("method", 16).toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw JsonFields.invalid("'" + param + ".method' must be an HTTP method", param + ".method");
        }
        String path = fields.requiredText("path", 2048);
        if (!path.startsWith("/")) {
            throw JsonFields.invalid("'" + param + ".path' must start with '/'", param + ".path");
        }
        List<Parameter> parameters = new ArrayList<>();
        JsonNode list = fields.raw("parameters");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray() || list.size() > JsonFields.MAX_LIST) {
                throw JsonFields.invalid("'" + param + ".parameters' must be a list", param + ".parameters");
            }
            for (int i = 0; i < list.size(); i++) {
                String where = param + ".parameters[" + i + "]";
                JsonFields p = JsonFields.of(list.get(i), where + ".", PARAMETER_FIELDS);
                String in = p.requiredText("in", 16);
                Location location = switch (in) {
                    case "path" -> Location.PATH;
                    case "query" -> Location.QUERY;
                    case "header" -> Location.HEADER;
                    default -> throw JsonFields.invalid("'" + where + ".in' must be path, query or header",
                            where + ".in");
                };
                parameters.add(new Parameter(p.requiredText("name", JsonFields.MAX_TEXT), location,
                        p.bool("required").orElse(location == Location.PATH)));
            }
        }
        Optional<String> bodyArgument = Optional.empty();
        Optional<String> contentType = Optional.empty();
        if (fields.has("body")) {
            JsonFields body = JsonFields.of(fields.raw("body"), param + ".body.", BODY_FIELDS);
            bodyArgument = Optional.of(body.requiredText("argument", JsonFields.MAX_TEXT));
            contentType = Optional.of(body.text("content_type", 256).orElse("application/json"));
        }
        JsonNode schema = fields.raw("input_schema");
        if (!schema.isObject()) {
            throw JsonFields.invalid("'" + param + ".input_schema' must be a JSON Schema object",
                    param + ".input_schema");
        }
        return new OpenApiOperation(name, description, method, path, parameters, bodyArgument, contentType,
                (ObjectNode) schema);
    }

    /** The {@code openapi} field as the API answers it. */
    static ObjectNode toJson(ServerDefinition.OpenApi openApi) {
        ObjectNode json = Body.MAPPER.createObjectNode().put("base_url", openApi.baseUrl().toString());
        ArrayNode operations = json.putArray("operations");
        for (OpenApiOperation operation : openApi.operations()) {
            ObjectNode node = operations.addObject().put("name", operation.name())
                    .put("description", operation.description()).put("method", operation.method())
                    .put("path", operation.path());
            ArrayNode parameters = node.putArray("parameters");
            operation.parameters().forEach(p -> parameters.addObject().put("name", p.name()).put("in", p.in().id())
                    .put("required", p.required()));
            operation.bodyArgument().ifPresent(argument -> node.putObject("body").put("argument", argument)
                    .put("content_type", operation.bodyContentType().orElse("application/json")));
            node.set("input_schema", operation.inputSchema().deepCopy());
        }
        return json;
    }
}
