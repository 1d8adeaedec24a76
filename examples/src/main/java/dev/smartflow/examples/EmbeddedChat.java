package dev.smartflow.examples;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.model.ChatResponse;
import dev.smartflow.core.model.ChatStream;
import dev.smartflow.providers.ProviderRegistry;

/**
 * Smartflow embedded in-process: no server, the same pipeline. Providers come from the environment
 * ({@code OPENAI_API_KEY}, {@code OPENAI_API_BASE}, {@code GROQ_API_KEY}, ...).
 *
 * <pre>
 * OPENAI_API_KEY=sk-... ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.smartflow.examples.EmbeddedChat
 * </pre>
 */
public final class EmbeddedChat {
    private EmbeddedChat() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "gpt-4o-mini";
        try (Smartflow smartflow = Smartflow.builder().resolver(ProviderRegistry.fromEnvironment()).build()) {
            System.out.println(run(smartflow, model));
        }
    }

    /** One plain answer and one streamed answer; returns what a person would read. */
    static String run(Smartflow smartflow, String model) {
        ChatResponse answer = smartflow.chat(ChatRequest.of(model, "Say hello in five words."));
        String streamed;
        try (ChatStream stream = smartflow.chatStream(ChatRequest.of(model, "Count to three."))) {
            streamed = stream.text();
        }
        return answer.content() + " (" + answer.provider() + ", " + answer.usage().totalTokens() + " tokens)\n"
                + streamed;
    }
}
