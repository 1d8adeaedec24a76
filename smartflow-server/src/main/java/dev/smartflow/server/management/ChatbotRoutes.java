package dev.smartflow.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.server.http.Services;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * {@code POST /api/chatbot/query} (master key): {@code {"query": "..."}}, a question about operations in plain words,
 * answered {@code {"response", "intent", "range", "provider", "data", "phrased_by"}} from the gateway's own figures
 * (see {@link Chatbot}); a question it cannot read gets {@code "intent": "unsupported"} and the list of questions it
 * can answer ({@code "supported"}). A missing, blank, non-text or over-long query is a 400 naming {@code query}.
 */
final class ChatbotRoutes {
    static final String PATH = "/api/chatbot/query";

    private final Chatbot chatbot;

    ChatbotRoutes(Chatbot chatbot) {
        this.chatbot = chatbot;
    }

    void register(JavalinConfig app) {
        app.routes.post(PATH, this::query);
    }

    private void query(Context ctx) {
        JsonNode query = RequestJson.object(ctx).get("query");
        if (query == null || query.isNull()) {
            throw new InvalidRequest("missing required parameter 'query'", "invalid_request", "query");
        }
        if (!query.isTextual() || query.asText().isBlank()) {
            throw new InvalidRequest("'query' must be a non-empty string", "invalid_request", "query");
        }
        if (query.asText().length() > Chatbot.MAX_QUERY) {
            throw new InvalidRequest(String.format(Locale.ROOT, "'query' must be at most %d characters",
                    Chatbot.MAX_QUERY), "invalid_request", "query");
        }
        Services.json(ctx, 200, Body.of(chatbot.answer(query.asText().strip())).bytes());
    }
}
