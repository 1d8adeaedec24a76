package dev.smartflow.providers.anthropic;

import static dev.smartflow.providers.WireFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI chat requests as Messages requests, and Anthropic messages as chat completions. */
final class AnthropicMapperTest {
    private static JsonNode map(String chat) {
        return AnthropicMapper.toMessagesRequest(json(chat), "claude-sonnet-4-5");
    }

    @Test
    void systemMessagesBecomeTheSystemFieldAndTurnsKeepTheirRoles() {
        JsonNode out = map("""
                {"model":"claude-sonnet-4-5","messages":[{"role":"system","content":"Be brief."},\
                {"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},\
                {"role":"user","content":"Capital of France?"}]}""");

        assertEquals(json("""
                {"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[\
                {"role":"user","content":[{"type":"text","text":"Hi"}]},\
                {"role":"assistant","content":[{"type":"text","text":"Hello"}]},\
                {"role":"user","content":[{"type":"text","text":"Capital of France?"}]}],\
                "system":"Be brief."}"""), out);
    }

    @Test
    void severalSystemMessagesBecomeTextBlocks() {
        JsonNode out = map("""
                {"messages":[{"role":"system","content":"One."},{"role":"developer","content":[\
                {"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}]},\
                {"role":"user","content":"Hi"}]}""");

        assertEquals(json("""
                [{"type":"text","text":"One."},{"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}]"""),
                out.path("system"));
    }

    @Test
    void maxTokensDefaultsAndMaxCompletionTokensWins() {
        assertEquals(AnthropicMapper.DEFAULT_MAX_TOKENS,
                map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").path("max_tokens").intValue());
        assertEquals(100, map("{\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .path("max_tokens").intValue());
        assertEquals(50, map("{\"max_tokens\":100,\"max_completion_tokens\":50,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").path("max_tokens").intValue());
    }

    @Test
    void samplingAndStopAndStreamAreCarriedAndUnknownOpenAiFieldsDropped() {
        JsonNode out = map("""
                {"messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"top_p":0.9,"stop":"END",\
                "stream":true,"stream_options":{"include_usage":true},"n":1,"logprobs":false,"user":"u-42"}""");

        assertEquals(0.2, out.path("temperature").doubleValue());
        assertEquals(0.9, out.path("top_p").doubleValue());
        assertEquals(json("[\"END\"]"), out.path("stop_sequences"));
        assertTrue(out.path("stream").booleanValue());
        assertEquals("u-42", out.path("metadata").path("user_id").asText());
        for (String dropped : new String[] {"stream_options", "n", "logprobs", "user"}) {
            assertFalse(out.has(dropped), dropped);
        }
        assertEquals(json("[\"a\",\"b\"]"), map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"stop\":[\"a\",\"b\"]}").path("stop_sequences"));
    }

    @Test
    void imagePartsBecomeBase64OrUrlImageBlocks() {
        JsonNode out = map("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"What are these?"},\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},\
                {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""");

        assertEquals(json("""
                [{"type":"text","text":"What are these?"},\
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},\
                {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]"""),
                out.path("messages").path(0).path("content"));
    }

    @Test
    void toolsAndToolChoiceAreTranslated() {
        String tools = """
                "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",\
                "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]""";
        JsonNode out = map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + tools
                + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false}");

        assertEquals(json("""
                [{"name":"get_weather","description":"Weather now",\
                "input_schema":{"type":"object","properties":{"location":{"type":"string"}}}}]"""), out.path("tools"));
        assertEquals(json("{\"type\":\"any\",\"disable_parallel_tool_use\":true}"), out.path("tool_choice"));
        assertEquals(json("{\"type\":\"tool\",\"name\":\"get_weather\"}"),
                map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + tools
                        + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}")
                        .path("tool_choice"));
        assertEquals(json("{\"type\":\"auto\"}"), map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + tools + ",\"tool_choice\":\"auto\"}").path("tool_choice"));
    }

    @Test
    void assistantToolCallsAndToolResultsBecomeToolUseAndToolResultBlocks() {
        JsonNode out = map("""
                {"messages":[{"role":"user","content":"Weather in Paris and Rome?"},\
                {"role":"assistant","content":null,"tool_calls":[\
                {"id":"call_1","type":"function","function":{"name":"get_weather",\
                "arguments":"{\\"location\\":\\"Paris\\"}"}},\
                {"id":"call_2","type":"function","function":{"name":"get_weather",\
                "arguments":"{\\"location\\":\\"Rome\\"}"}}]},\
                {"role":"tool","tool_call_id":"call_1","content":"18C"},\
                {"role":"tool","tool_call_id":"call_2","content":"24C"},\
                {"role":"user","content":"Thanks"}]}""");

        assertEquals(json("""
                [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},\
                {"role":"assistant","content":[\
                {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}},\
                {"type":"tool_use","id":"call_2","name":"get_weather","input":{"location":"Rome"}}]},\
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"},\
                {"type":"tool_result","tool_use_id":"call_2","content":"24C"},{"type":"text","text":"Thanks"}]}]"""),
                out.path("messages"));
    }

    @Test
    void toolCallArgumentsThatAreNotJsonAreRejected() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> map("""
                {"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function",\
                "function":{"name":"f","arguments":"{oops"}}]}]}"""));

        assertEquals("messages[0].tool_calls", error.param().orElseThrow());
    }

    @Test
    void textMessageBecomesAChatCompletionWithCachedTokens() {
        JsonNode out = json(AnthropicMapper.toChatCompletion(json(AnthropicFixtures.text("message.json")),
                1700000000L).toString());

        assertEquals(json("""
                {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion","created":1700000000,\
                "model":"claude-sonnet-4-5-20250929","choices":[{"index":0,"message":{"role":"assistant",\
                "content":"Hello from Claude"},"finish_reason":"stop"}],"usage":{"prompt_tokens":117,\
                "completion_tokens":4,"total_tokens":121,"prompt_tokens_details":{"cached_tokens":100}}}"""), out);
    }

    @Test
    void toolUseBecomesToolCallsWithJsonStringArguments() {
        JsonNode out = AnthropicMapper.toChatCompletion(json(AnthropicFixtures.text("tool-use-message.json")), 0);

        JsonNode choice = out.path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertEquals("Let me check the weather.", choice.path("message").path("content").asText());
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertEquals("toolu_01A09q90qw90lq917835lq9", call.path("id").asText());
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertTrue(call.path("function").path("arguments").isTextual());
        assertEquals(json("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"),
                json(call.path("function").path("arguments").asText()));
    }

    @ParameterizedTest
    @CsvSource({"end_turn, stop", "stop_sequence, stop", "max_tokens, length", "tool_use, tool_calls",
            "refusal, content_filter", "pause_turn, stop"})
    void stopReasonsMapToFinishReasons(String stopReason, String finishReason) {
        assertEquals(finishReason, AnthropicMapper.finishReason(stopReason));
    }

    @Test
    void contextWindowSuffixIsStrippedFromModelNames() {
        assertEquals("claude-sonnet-4-5", AnthropicMapper.upstreamModel("claude-sonnet-4-5[1m]"));
        assertEquals("claude-sonnet-4-5", AnthropicMapper.upstreamModel("claude-sonnet-4-5"));
    }
}
