package dev.smartflow.core.testing;

import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;

/** Small OpenAI-shaped payloads and exchanges for tests. Single quotes in the templates stand for double quotes. */
public final class Json {
    private Json() {
    }

    /** Replaces single quotes with double quotes, so JSON reads well inside Java strings. */
    public static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    public static Body body(String singleQuoted) {
        return Body.json(q(singleQuoted));
    }

    /** A valid chat exchange for {@code model}, anonymous, no headers. */
    public static Exchange chat(String model) {
        return Exchange.of(Operation.CHAT,
                body("{'model':'" + model + "','messages':[{'role':'user','content':'hi'}]}"), Headers.EMPTY);
    }

    /** A chat completion answer with one choice and usage. */
    public static Response.Complete completion(String content, int promptTokens, int completionTokens) {
        return Response.Complete.json(body("{'id':'chatcmpl-1','object':'chat.completion','model':'m','choices':"
                + "[{'index':0,'message':{'role':'assistant','content':'" + content + "'},'finish_reason':'stop'}],"
                + "'usage':{'prompt_tokens':" + promptTokens + ",'completion_tokens':" + completionTokens
                + ",'total_tokens':" + (promptTokens + completionTokens) + "}}"));
    }

    /** One {@code chat.completion.chunk} carrying a text delta. */
    public static Chunk delta(String text) {
        return Chunk.data(body("{'object':'chat.completion.chunk','choices':[{'index':0,'delta':{'content':'"
                + text + "'}}]}"));
    }
}
