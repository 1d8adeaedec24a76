package dev.smartflow.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The two A2A wire revisions the gateway speaks, and the translation between them. Inside the module every payload is
 * held in the 1.0 shape; a 0.3 caller's request is read into it and its answer written out of it, and a 0.3 agent is
 * spoken to the same way, so either kind of caller reaches either kind of agent.
 *
 * <p>What differs (A2A 1.0, "What's new"): method names ({@code SendMessage} / {@code message/send}); enums
 * ({@code TASK_STATE_COMPLETED} / {@code completed}, {@code ROLE_USER} / {@code user}); parts (a member names the
 * content, {@code {"text": ...}}, where 0.3 had {@code kind} and a nested {@code file}); results (1.0 wraps a send's
 * answer and each stream event in a member named for its type, {@code {"task": ...}}, {@code {"statusUpdate": ...}};
 * 0.3 answers the object itself with a {@code kind}, and marks a stream's last status update {@code final}).
 * Fields neither revision renames pass through untouched.
 */
final class Wire {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A revision of the protocol, as {@code A2A-Version} and a card's {@code protocolVersion} name it. */
    enum Version {
        V1_0("1.0"), V0_3("0.3");

        final String header;

        Version(String header) {
            this.header = header;
        }

        /**
         * A card's version: {@code 1.0}, {@code 1.0.1}, {@code 1} → 1.0; {@code 0.3}, {@code 0.3.0} and the older
         * {@code 0.2.x} (the same wire for what the gateway relays) → 0.3; else empty.
         */
        static Optional<Version> parse(String value) {
            if (value == null) {
                return Optional.empty();
            }
            String v = value.trim();
            if (v.equals("1") || v.startsWith("1.")) {
                return Optional.of(V1_0);
            }
            if (v.startsWith("0.")) {
                return Optional.of(V0_3);
            }
            return Optional.empty();
        }

        /** A caller's {@code A2A-Version}: {@code Major.Minor} of a revision the gateway speaks, else empty. */
        static Optional<Version> requested(String value) {
            String v = value.trim();
            for (Version version : values()) {
                if (v.equals(version.header) || v.startsWith(version.header + ".")) {
                    return Optional.of(version);
                }
            }
            return Optional.empty();
        }
    }

    /** What a call asks for, whatever its binding and revision. */
    enum Method {
        SEND("SendMessage", "message/send", true),
        STREAM("SendStreamingMessage", "message/stream", true),
        GET("GetTask", "tasks/get", false),
        LIST("ListTasks", "tasks/list", false),
        CANCEL("CancelTask", "tasks/cancel", false),
        SUBSCRIBE("SubscribeToTask", "tasks/resubscribe", false),
        PUSH_CREATE("CreateTaskPushNotificationConfig", "tasks/pushNotificationConfig/set", false),
        PUSH_GET("GetTaskPushNotificationConfig", "tasks/pushNotificationConfig/get", false),
        PUSH_LIST("ListTaskPushNotificationConfigs", "tasks/pushNotificationConfig/list", false),
        PUSH_DELETE("DeleteTaskPushNotificationConfig", "tasks/pushNotificationConfig/delete", false),
        EXTENDED_CARD("GetExtendedAgentCard", "agent/getAuthenticatedExtendedCard", false);

        final String v1;
        final String v03;
        final boolean billed;

        Method(String v1, String v03, boolean billed) {
            this.v1 = v1;
            this.v03 = v03;
            this.billed = billed;
        }

        String name(Version version) {
            return version == Version.V1_0 ? v1 : v03;
        }

        boolean streams() {
            return this == STREAM || this == SUBSCRIBE;
        }

        boolean push() {
            return this == PUSH_CREATE || this == PUSH_GET || this == PUSH_LIST || this == PUSH_DELETE;
        }

        /** The method of a JSON-RPC name and the revision the name belongs to. */
        static Optional<Map.Entry<Method, Version>> of(String name) {
            for (Method method : values()) {
                if (method.v1.equals(name)) {
                    return Optional.of(Map.entry(method, Version.V1_0));
                }
                if (method.v03.equals(name)) {
                    return Optional.of(Map.entry(method, Version.V0_3));
                }
            }
            if ("tasks/pushNotificationConfig/create".equals(name)) {
                return Optional.of(Map.entry(PUSH_CREATE, Version.V0_3));
            }
            return Optional.empty();
        }
    }

    private static final Set<String> TERMINAL = Set.of("TASK_STATE_COMPLETED", "TASK_STATE_FAILED",
            "TASK_STATE_CANCELED", "TASK_STATE_REJECTED");
    private static final Set<String> INTERRUPTED = Set.of("TASK_STATE_INPUT_REQUIRED", "TASK_STATE_AUTH_REQUIRED");

    private Wire() {
    }

    static boolean terminal(String v1State) {
        return TERMINAL.contains(v1State);
    }

    /** A state the task waits in or ends in: a 0.3 stream's update in it is {@code final}. */
    static boolean settled(String v1State) {
        return TERMINAL.contains(v1State) || INTERRUPTED.contains(v1State);
    }

    // --- enums

    static String stateToV1(String state) {
        if (state.startsWith("TASK_STATE_")) {
            return state;
        }
        return "TASK_STATE_" + state.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    static String stateToV03(String state) {
        if (!state.startsWith("TASK_STATE_")) {
            return state;
        }
        return state.substring("TASK_STATE_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String roleToV1(String role) {
        return role.startsWith("ROLE_") ? role : "ROLE_" + role.toUpperCase(Locale.ROOT);
    }

    private static String roleToV03(String role) {
        return role.startsWith("ROLE_") ? role.substring(5).toLowerCase(Locale.ROOT) : role;
    }

    // --- requests: params of the caller's revision → 1.0, and 1.0 → the agent's

    /** Params of {@code method} as a caller of {@code version} sent them, in the 1.0 shape. */
    static ObjectNode paramsToV1(Method method, ObjectNode params, Version version) {
        ObjectNode out = params.deepCopy();
        if (version == Version.V1_0) {
            return out;
        }
        if (out.get("message") instanceof ObjectNode message) {
            out.set("message", messageToV1(message));
        }
        if (method == Method.LIST && out.get("status") instanceof JsonNode status && status.isTextual()) {
            out.put("status", stateToV1(status.asText()));
        }
        return out;
    }

    /** 1.0 params of {@code method} as an agent of {@code version} takes them. */
    static ObjectNode paramsFromV1(Method method, ObjectNode params, Version version) {
        ObjectNode out = params.deepCopy();
        if (version == Version.V1_0) {
            return out;
        }
        if (out.get("message") instanceof ObjectNode message) {
            out.set("message", messageToV03(message));
        }
        if (method == Method.LIST && out.get("status") instanceof JsonNode status && status.isTextual()) {
            out.put("status", stateToV03(status.asText()));
        }
        return out;
    }

    // --- results: the agent's revision → 1.0, and 1.0 → the caller's

    /**
     * A method's result as an agent of {@code version} answered it, in the 1.0 shape: a send's
     * {@code {"task"|"message": ...}}, a stream event's {@code {"task"|"message"|"statusUpdate"|"artifactUpdate": ...}},
     * a task for get and cancel, a list as it came.
     */
    static JsonNode resultToV1(Method method, JsonNode result, Version version) {
        if (!result.isObject()) {
            return result;
        }
        ObjectNode object = (ObjectNode) result;
        return switch (method) {
            case SEND, STREAM, SUBSCRIBE -> version == Version.V1_0 ? normalizedV1Event(object) : eventToV1(object);
            case GET, CANCEL -> version == Version.V1_0 ? object : taskToV1(object);
            case LIST -> {
                ObjectNode out = object.deepCopy();
                if (version == Version.V0_3 && out.get("tasks") instanceof ArrayNode tasks) {
                    ArrayNode translated = out.putArray("tasks");
                    tasks.forEach(task -> translated.add(task.isObject() ? taskToV1((ObjectNode) task) : task));
                }
                yield out;
            }
            default -> object;
        };
    }

    /** A 1.0 result of {@code method} as a caller of {@code version} reads it. */
    static JsonNode resultFromV1(Method method, JsonNode result, Version version) {
        if (version == Version.V1_0 || !result.isObject()) {
            return result;
        }
        ObjectNode object = (ObjectNode) result;
        return switch (method) {
            case SEND, STREAM, SUBSCRIBE -> eventToV03(object);
            case GET, CANCEL -> taskToV03(object);
            case LIST -> {
                ObjectNode out = object.deepCopy();
                if (out.get("tasks") instanceof ArrayNode tasks) {
                    ArrayNode translated = out.putArray("tasks");
                    tasks.forEach(task -> translated.add(task.isObject() ? taskToV03((ObjectNode) task) : task));
                }
                yield out;
            }
            default -> object;
        };
    }

    /** The task state a 1.0 send result or stream event reports, if any. */
    static Optional<String> state(JsonNode v1Event) {
        for (String member : new String[] {"task", "statusUpdate"}) {
            JsonNode state = v1Event.path(member).path("status").path("state");
            if (state.isTextual()) {
                return Optional.of(state.asText());
            }
        }
        JsonNode state = v1Event.path("status").path("state");
        return state.isTextual() ? Optional.of(state.asText()) : Optional.empty();
    }

    /** A 1.0 agent may still answer a bare task or message (as a REST GET does): wrap it. */
    private static ObjectNode normalizedV1Event(ObjectNode object) {
        for (String member : new String[] {"task", "message", "statusUpdate", "artifactUpdate"}) {
            if (object.has(member)) {
                return object;
            }
        }
        ObjectNode wrapped = NODES.objectNode();
        if (object.has("role") && object.has("parts")) {
            wrapped.set("message", object);
        } else if (object.has("status")) {
            wrapped.set("task", object);
        } else {
            return object;
        }
        return wrapped;
    }

    private static ObjectNode eventToV1(ObjectNode event) {
        ObjectNode out = NODES.objectNode();
        String kind = event.path("kind").asText("");
        switch (kind) {
            case "message" -> out.set("message", messageToV1(event));
            case "status-update" -> {
                ObjectNode update = event.deepCopy();
                update.remove(java.util.List.of("kind", "final"));
                if (update.get("status") instanceof ObjectNode status) {
                    update.set("status", statusToV1(status));
                }
                out.set("statusUpdate", update);
            }
            case "artifact-update" -> {
                ObjectNode update = event.deepCopy();
                update.remove("kind");
                if (update.get("artifact") instanceof ObjectNode artifact) {
                    update.set("artifact", artifactToV1(artifact));
                }
                out.set("artifactUpdate", update);
            }
            default -> {
                if (event.has("role") && !event.has("status")) {
                    out.set("message", messageToV1(event));
                } else {
                    out.set("task", taskToV1(event));
                }
            }
        }
        return out;
    }

    private static ObjectNode eventToV03(ObjectNode event) {
        if (event.get("task") instanceof ObjectNode task) {
            return taskToV03(task);
        }
        if (event.get("message") instanceof ObjectNode message) {
            return messageToV03(message);
        }
        if (event.get("statusUpdate") instanceof ObjectNode update) {
            ObjectNode out = NODES.objectNode().put("kind", "status-update");
            update.fields().forEachRemaining(field -> out.set(field.getKey(), field.getValue()));
            if (update.get("status") instanceof ObjectNode status) {
                out.set("status", statusToV03(status));
            }
            out.put("final", settled(update.path("status").path("state").asText("")));
            return out;
        }
        if (event.get("artifactUpdate") instanceof ObjectNode update) {
            ObjectNode out = NODES.objectNode().put("kind", "artifact-update");
            update.fields().forEachRemaining(field -> out.set(field.getKey(), field.getValue()));
            if (update.get("artifact") instanceof ObjectNode artifact) {
                out.set("artifact", artifactToV03(artifact));
            }
            return out;
        }
        return event;
    }

    // --- objects

    static ObjectNode taskToV1(ObjectNode task) {
        ObjectNode out = task.deepCopy();
        out.remove("kind");
        if (out.get("status") instanceof ObjectNode status) {
            out.set("status", statusToV1(status));
        }
        translateArray(out, "artifacts", a -> artifactToV1(a));
        translateArray(out, "history", m -> messageToV1(m));
        return out;
    }

    static ObjectNode taskToV03(ObjectNode task) {
        ObjectNode out = NODES.objectNode().put("kind", "task");
        task.fields().forEachRemaining(field -> out.set(field.getKey(), field.getValue().deepCopy()));
        if (out.get("status") instanceof ObjectNode status) {
            out.set("status", statusToV03(status));
        }
        translateArray(out, "artifacts", a -> artifactToV03(a));
        translateArray(out, "history", m -> messageToV03(m));
        return out;
    }

    private static ObjectNode statusToV1(ObjectNode status) {
        ObjectNode out = status.deepCopy();
        if (out.get("state") instanceof JsonNode state && state.isTextual()) {
            out.put("state", stateToV1(state.asText()));
        }
        if (out.get("message") instanceof ObjectNode message) {
            out.set("message", messageToV1(message));
        }
        return out;
    }

    private static ObjectNode statusToV03(ObjectNode status) {
        ObjectNode out = status.deepCopy();
        if (out.get("state") instanceof JsonNode state && state.isTextual()) {
            out.put("state", stateToV03(state.asText()));
        }
        if (out.get("message") instanceof ObjectNode message) {
            out.set("message", messageToV03(message));
        }
        return out;
    }

    static ObjectNode messageToV1(ObjectNode message) {
        ObjectNode out = message.deepCopy();
        out.remove("kind");
        if (out.get("role") instanceof JsonNode role && role.isTextual()) {
            out.put("role", roleToV1(role.asText()));
        }
        translateArray(out, "parts", p -> partToV1(p));
        return out;
    }

    static ObjectNode messageToV03(ObjectNode message) {
        ObjectNode out = NODES.objectNode().put("kind", "message");
        message.fields().forEachRemaining(field -> out.set(field.getKey(), field.getValue().deepCopy()));
        if (out.get("role") instanceof JsonNode role && role.isTextual()) {
            out.put("role", roleToV03(role.asText()));
        }
        translateArray(out, "parts", p -> partToV03(p));
        return out;
    }

    private static ObjectNode artifactToV1(ObjectNode artifact) {
        ObjectNode out = artifact.deepCopy();
        translateArray(out, "parts", p -> partToV1(p));
        return out;
    }

    private static ObjectNode artifactToV03(ObjectNode artifact) {
        ObjectNode out = artifact.deepCopy();
        translateArray(out, "parts", p -> partToV03(p));
        return out;
    }

    /** {@code {kind: text|data|file, ...}} → a 1.0 part named by its content member. */
    static ObjectNode partToV1(ObjectNode part) {
        ObjectNode out = part.deepCopy();
        String kind = out.path("kind").asText(out.path("type").asText(""));
        out.remove(java.util.List.of("kind", "type"));
        if ("file".equals(kind) && out.get("file") instanceof ObjectNode file) {
            out.remove("file");
            if (file.hasNonNull("uri")) {
                out.set("url", file.get("uri"));
            }
            if (file.hasNonNull("bytes")) {
                out.set("raw", file.get("bytes"));
            }
            if (file.hasNonNull("mimeType")) {
                out.set("mediaType", file.get("mimeType"));
            }
            if (file.hasNonNull("name")) {
                out.set("filename", file.get("name"));
            }
        }
        return out;
    }

    /** A 1.0 part → {@code {kind: text|data|file, ...}}. */
    static ObjectNode partToV03(ObjectNode part) {
        ObjectNode out = NODES.objectNode();
        if (part.has("text")) {
            out.put("kind", "text").set("text", part.get("text"));
        } else if (part.has("data")) {
            out.put("kind", "data").set("data", part.get("data"));
        } else if (part.has("url") || part.has("raw")) {
            out.put("kind", "file");
            ObjectNode file = out.putObject("file");
            if (part.has("url")) {
                file.set("uri", part.get("url"));
            }
            if (part.has("raw")) {
                file.set("bytes", part.get("raw"));
            }
            if (part.has("mediaType")) {
                file.set("mimeType", part.get("mediaType"));
            }
            if (part.has("filename")) {
                file.set("name", part.get("filename"));
            }
            if (part.has("metadata")) {
                out.set("metadata", part.get("metadata"));
            }
            return out;
        } else {
            return part.deepCopy();
        }
        if (part.has("metadata")) {
            out.set("metadata", part.get("metadata"));
        }
        return out;
    }

    private static void translateArray(ObjectNode owner, String field,
                                       java.util.function.UnaryOperator<ObjectNode> translate) {
        if (owner.get(field) instanceof ArrayNode items) {
            ArrayNode out = NODES.arrayNode();
            items.forEach(item -> out.add(item instanceof ObjectNode object ? translate.apply(object) : item));
            owner.set(field, out);
        }
    }
}
