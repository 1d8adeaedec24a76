package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official SDKs, unmodified, against Claude through the gateway: Anthropic's at {@code /anthropic}, and OpenAI's
 * on the OpenAI surface with a {@code claude-*} model.
 */
class AnthropicSdkInteropTest {
    @TempDir
    Path data;
    Upstream upstream;
    Gateway gateway;
    AnthropicClient anthropic;
    OpenAIClient openAi;

    @BeforeEach
    void start() throws Exception {
        upstream = new Upstream();
        gateway = Gateway.withAnthropic(upstream, data);
        anthropic = anthropicSdk(Gateway.MASTER);
        openAi = OpenAIOkHttpClient.builder().baseUrl(gateway.proxy("/v1")).apiKey(Gateway.MASTER).maxRetries(0)
                .build();
    }

    @AfterEach
    void stop() {
        anthropic.close();
        openAi.close();
        gateway.close();
        upstream.close();
    }

    private AnthropicClient anthropicSdk(String key) {
        return AnthropicOkHttpClient.builder().baseUrl(gateway.proxy("/anthropic")).apiKey(key).maxRetries(0)
                .build();
    }

    private static MessageCreateParams hello() {
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64).addUserMessage("Say hello")
                .build();
    }

    @Test
    void anthropicSdkCreatesAMessage() {
        Message message = anthropic.messages().create(hello());

        assertEquals("Hello from Claude", message.content().get(0).text().orElseThrow().text());
        assertEquals(9, message.usage().inputTokens());
    }

    @Test
    void anthropicSdkStreamsAMessage() {
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(hello())) {
            List<RawMessageStreamEvent> events = stream.stream().toList();
            String text = events.stream()
                    .flatMap(event -> event.contentBlockDelta().stream())
                    .flatMap(delta -> delta.delta().text().stream())
                    .map(textDelta -> textDelta.text())
                    .collect(Collectors.joining());
            assertEquals("Hello!", text);
            assertEquals(2, events.stream().flatMap(event -> event.messageDelta().stream())
                    .findFirst().orElseThrow().usage().outputTokens());
        }
    }

    @Test
    void anthropicSdkSeesAWrongKeyAsUnauthorized() {
        AnthropicClient wrong = anthropicSdk("sk-wrong-key-0123456789");
        try {
            assertThrows(UnauthorizedException.class, () -> wrong.messages().create(hello()));
        } finally {
            wrong.close();
        }
    }

    @Test
    void openAiSdkChatsWithAClaudeModel() {
        ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("claude-sonnet-4-5").addUserMessage("Say hello").build());

        assertEquals("Hello from Claude", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(13, completion.usage().orElseThrow().totalTokens());
    }

    @Test
    void openAiSdkStreamsFromAClaudeModel() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude-sonnet-4-5")
                .addUserMessage("Say hello")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream =
                openAi.chat().completions().createStreaming(params)) {
            List<ChatCompletionChunk> chunks = stream.stream().toList();
            String text = chunks.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse(""))
                    .collect(Collectors.joining());
            assertEquals("Hello!", text);
            assertEquals(11, chunks.get(chunks.size() - 1).usage().orElseThrow().totalTokens());
        }
    }

    @Test
    void anthropicSdkTalksToANonAnthropicModel() {
        Message message = anthropic.messages().create(MessageCreateParams.builder().model("gpt-4o-mini")
                .maxTokens(64).addUserMessage("Say hello").build());

        assertEquals("Hello from upstream", message.content().get(0).text().orElseThrow().text());
        assertEquals(3, message.usage().outputTokens());
    }

    @Test
    void anthropicSdkStreamsFromANonAnthropicModel() {
        MessageCreateParams params = MessageCreateParams.builder().model("gpt-4o-mini").maxTokens(64)
                .addUserMessage("Say hello").build();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params)) {
            List<RawMessageStreamEvent> events = stream.stream().toList();
            String text = events.stream()
                    .flatMap(event -> event.contentBlockDelta().stream())
                    .flatMap(delta -> delta.delta().text().stream())
                    .map(textDelta -> textDelta.text())
                    .collect(Collectors.joining());
            assertEquals("Hello!", text);
            assertEquals(2, events.stream().flatMap(event -> event.messageDelta().stream())
                    .findFirst().orElseThrow().usage().outputTokens());
        }
    }
}
