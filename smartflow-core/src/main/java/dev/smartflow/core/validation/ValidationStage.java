package dev.smartflow.core.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.LlmOperation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;

/**
 * Rejects malformed requests with a 400 that names the parameter, before any stage spends money, time or state on them.
 * Checks only the fields Smartflow itself relies on; everything else is the provider's to judge.
 *
 * <p><b>Identifiers.</b> {@code model} travels into response headers, metric labels, audit records and log lines, so
 * it must be a short run of visible ASCII ({@value #MAX_MODEL_LENGTH} characters at most): a line break in it once
 * reached the upstream, was paid for, and then broke the answer's headers. {@code user} is stored in the audit log: at
 * most {@value #MAX_USER_LENGTH} characters and no control characters, so every database keeps it as sent.
 *
 * <p><b>Multipliers.</b> {@code n} (choices) and {@code best_of} (completions generated server-side) multiply what a
 * call can cost; they are bounded here as OpenAI bounds them, so the budget's worst case counts a finite number.
 */
public final class ValidationStage implements Stage {
    /** OpenAI takes at most 10 images a request; the bound also keeps a budget's worst case finite. */
    static final int MAX_IMAGES = 10;
    /** The longest model name accepted; real names are far shorter (the longest routed ids are about 100). */
    public static final int MAX_MODEL_LENGTH = 256;
    /** The longest end-user id accepted. */
    public static final int MAX_USER_LENGTH = 512;
    /** OpenAI's bound on {@code n} for chat and completions. */
    public static final int MAX_CHOICES = 128;
    /** OpenAI's bound on {@code best_of} for completions. */
    public static final int MAX_BEST_OF = 20;

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.operation().routed()) {
            check(exchange);
        }
        return chain.proceed(exchange);
    }

    static void check(Exchange exchange) {
        ObjectNode body = exchange.body().object();
        JsonNode model = body.path("model");
        if (model.isMissingNode() || model.isNull()) {
            throw invalid("missing required parameter 'model'", "model");
        }
        if (!model.isTextual() || model.textValue().isBlank()) {
            throw invalid("'model' must be a non-empty string", "model");
        }
        if (!isModelName(model.textValue())) {
            throw invalid("'model' must be at most " + MAX_MODEL_LENGTH
                    + " visible ASCII characters, without spaces or control characters", "model");
        }
        JsonNode user = body.path("user");
        if (!user.isMissingNode() && !user.isNull()) {
            if (!user.isTextual()) {
                throw invalid("'user' must be a string", "user");
            }
            if (user.textValue().length() > MAX_USER_LENGTH || hasControl(user.textValue())) {
                throw invalid("'user' must be at most " + MAX_USER_LENGTH
                        + " characters, without control characters", "user");
            }
        }
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("'stream' must be a boolean", "stream");
        }
        switch ((LlmOperation) exchange.operation()) { // routed operations are model endpoints
            case CHAT -> {
                checkMessages(body.path("messages"));
                optionalCount(body, "n", MAX_CHOICES);
            }
            case ANTHROPIC_MESSAGES, ANTHROPIC_COUNT_TOKENS -> checkMessages(body.path("messages"));
            case COMPLETIONS -> {
                requireTextOrArray(body.path("prompt"), "prompt");
                int n = optionalCount(body, "n", MAX_CHOICES);
                int bestOf = optionalCount(body, "best_of", MAX_BEST_OF);
                if (body.hasNonNull("best_of") && bestOf < n) {
                    throw invalid("'best_of' must be at least 'n'", "best_of");
                }
            }
            case EMBEDDINGS -> requireTextOrArray(body.path("input"), "input");
            case IMAGES -> {
                requireText(body.path("prompt"), "prompt");
                optionalCount(body, "n", MAX_IMAGES);
                if (body.path("stream").asBoolean(false)) {
                    // an event stream of partial images would reach a caller who asked a route that answers whole
                    throw invalid("streamed image generation is not supported; leave 'stream' out", "stream");
                }
            }
            case SPEECH -> requireText(body.path("input"), "input");
            case RERANK -> {
                requireText(body.path("query"), "query");
                JsonNode documents = body.path("documents");
                if (!documents.isArray() || documents.isEmpty()) {
                    throw invalid("'documents' must be a non-empty array", "documents");
                }
            }
            case TRANSCRIPTIONS -> {
                if (exchange.get(Upload.KEY).isEmpty()) {
                    throw invalid("missing required parameter 'file'", "file");
                }
            }
            case MODELS -> { }
        }
    }

    /** Visible ASCII only: the name goes into headers, metric labels and logs as it is. */
    static boolean isModelName(String model) {
        if (model.length() > MAX_MODEL_LENGTH) {
            return false;
        }
        for (int i = 0; i < model.length(); i++) {
            char c = model.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A multiplier such as {@code n}: absent or null counts 1, anything else must be an integer from 1 to {@code max}.
     *
     * @return the count the call may multiply its output by
     */
    private static int optionalCount(JsonNode body, String name, int max) {
        JsonNode value = body.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return 1;
        }
        if (!(value.isIntegralNumber() && value.canConvertToInt() && value.asInt() >= 1 && value.asInt() <= max)) {
            throw invalid("'" + name + "' must be an integer from 1 to " + max, name);
        }
        return value.asInt();
    }

    private static void checkMessages(JsonNode messages) {
        if (messages.isMissingNode() || messages.isNull()) {
            throw invalid("missing required parameter 'messages'", "messages");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw invalid("'messages' must be a non-empty array", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw invalid("'messages[" + i + "]' must be an object", "messages[" + i + "]");
            }
            if (!message.path("role").isTextual()) {
                throw invalid("'messages[" + i + "].role' must be a string", "messages[" + i + "].role");
            }
        }
    }

    private static void requireTextOrArray(JsonNode node, String name) {
        if (node.isMissingNode() || node.isNull()) {
            throw invalid("missing required parameter '" + name + "'", name);
        }
        if (!(node.isTextual() || node.isArray()) || (node.isArray() && node.isEmpty())) {
            throw invalid("'" + name + "' must be a string or a non-empty array", name);
        }
    }

    private static void requireText(JsonNode node, String name) {
        if (node.isMissingNode() || node.isNull()) {
            throw invalid("missing required parameter '" + name + "'", name);
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw invalid("'" + name + "' must be a non-empty string", name);
        }
    }

    private static InvalidRequest invalid(String message, String param) {
        return new InvalidRequest(message, "invalid_request", param);
    }
}
