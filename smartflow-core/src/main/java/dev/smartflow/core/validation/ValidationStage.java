package dev.smartflow.core.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.Upload;

/**
 * Rejects malformed requests with a 400 that names the parameter, before any stage spends money, time or state on them.
 * Checks only the fields Smartflow itself relies on; everything else is the provider's to judge.
 */
public final class ValidationStage implements Stage {
    /** OpenAI takes at most 10 images a request; the bound also keeps a budget's worst case finite. */
    static final int MAX_IMAGES = 10;

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
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("'stream' must be a boolean", "stream");
        }
        switch (exchange.operation()) {
            case CHAT, ANTHROPIC_MESSAGES, ANTHROPIC_COUNT_TOKENS -> checkMessages(body.path("messages"));
            case COMPLETIONS -> requireTextOrArray(body.path("prompt"), "prompt");
            case EMBEDDINGS -> requireTextOrArray(body.path("input"), "input");
            case IMAGES -> {
                requireText(body.path("prompt"), "prompt");
                JsonNode n = body.path("n");
                if (!n.isMissingNode() && !n.isNull() && !(n.canConvertToInt() && n.isIntegralNumber()
                        && n.asInt() >= 1 && n.asInt() <= MAX_IMAGES)) {
                    throw invalid("'n' must be an integer from 1 to " + MAX_IMAGES, "n");
                }
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
