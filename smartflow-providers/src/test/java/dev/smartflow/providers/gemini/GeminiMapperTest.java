package dev.smartflow.providers.gemini;

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

/** The translation alone: OpenAI chat and embeddings requests to Gemini's shape, and Gemini's answers back. */
final class GeminiMapperTest {
    @Test
    void rolesBecomeUserAndModelAndRepeatedRolesMerge() {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"developer","content":"Rule one."},{"role":"system","content":"Rule two."},\
                {"role":"user","content":"Hi"},{"role":"user","content":[{"type":"text","text":"there"}]},\
                {"role":"assistant","content":"Hello"}]}"""));

        assertEquals(json("""
                {"contents":[{"role":"user","parts":[{"text":"Hi"},{"text":"there"}]},\
                {"role":"model","parts":[{"text":"Hello"}]}],\
                "systemInstruction":{"parts":[{"text":"Rule one."},{"text":"Rule two."}]}}"""), out);
    }

    @Test
    void imagesBecomeInlineDataOrFileDataWithAGuessedMimeType() {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":[\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},\
                {"type":"image_url","image_url":{"url":"https://example.com/cat.webp?size=large"}},\
                {"type":"image_url","image_url":{"url":"https://example.com/doc.PDF"}},\
                {"type":"image_url","image_url":{"url":"https://example.com/picture"}}]}]}"""));

        JsonNode parts = out.path("contents").path(0).path("parts");
        assertEquals(json("{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}"), parts.get(0));
        assertEquals(json("{\"fileData\":{\"mimeType\":\"image/webp\",\"fileUri\":"
                + "\"https://example.com/cat.webp?size=large\"}}"), parts.get(1));
        assertEquals("application/pdf", parts.get(2).path("fileData").path("mimeType").asText());
        assertEquals("image/jpeg", parts.get(3).path("fileData").path("mimeType").asText());
    }

    @Test
    void samplingFieldsGoToGenerationConfig() {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"top_p":0.9,\
                "max_completion_tokens":100,"max_tokens":5,"stop":"END","n":2,"seed":7,\
                "response_format":{"type":"json_object"},"user":"u-1","logprobs":false}"""));

        assertEquals(json("""
                {"temperature":0.2,"topP":0.9,"seed":7,"candidateCount":2,"maxOutputTokens":100,\
                "stopSequences":["END"],"responseMimeType":"application/json"}"""), out.path("generationConfig"));
        assertFalse(out.has("user"));
        assertFalse(out.has("logprobs"));
    }

    @Test
    void toolCallsAndToolResultsBecomeFunctionCallAndFunctionResponseParts() {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":"Weather and time in Paris?"},\
                {"role":"assistant","content":null,"tool_calls":[\
                {"id":"call_1","type":"function","function":{"name":"get_weather",\
                "arguments":"{\\"city\\":\\"Paris\\"}"}},\
                {"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]},\
                {"role":"tool","tool_call_id":"call_1","content":"{\\"temp\\":21}"},\
                {"role":"tool","tool_call_id":"call_2","content":"14:05"}]}"""));

        assertEquals(json("""
                [{"role":"user","parts":[{"text":"Weather and time in Paris?"}]},\
                {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},\
                {"functionCall":{"name":"get_time","args":{}}}]},\
                {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":21}}},\
                {"functionResponse":{"name":"get_time","response":{"output":"14:05"}}}]}]"""), out.path("contents"));
    }

    @Test
    void thoughtSignatureOfAFunctionCallSurvivesTheRoundTripInTheToolCallId() {
        JsonNode answer = GeminiMapper.toChatCompletion(json("""
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}},\
                "thoughtSignature":"CiQBVKhc7n+sig/9="}]},"finishReason":"STOP"}]}"""), "gemini-3-pro-preview", 1);
        JsonNode call = answer.path("choices").path(0).path("message").path("tool_calls").path(0);
        String id = call.path("id").asText();
        assertTrue(id.startsWith("call_") && id.endsWith(GeminiMapper.SIGNATURE_MARK + "CiQBVKhc7n+sig/9="), id);

        JsonNode request = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":"go"},\
                {"role":"assistant","tool_calls":[{"id":"%s","type":"function",\
                "function":{"name":"f","arguments":"{\\"a\\":1}"}}]},\
                {"role":"tool","tool_call_id":"%s","content":"done"}]}""".formatted(id, id)));

        JsonNode contents = request.path("contents");
        assertEquals(json("""
                {"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"CiQBVKhc7n+sig/9="}"""),
                contents.path(1).path("parts").path(0));
        assertEquals("f", contents.path(2).path("parts").path(0).path("functionResponse").path("name").asText());
    }

    @Test
    void toolResultForAnUnknownCallIsRejected() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"tool","tool_call_id":"call_9","content":"x"}]}""")));

        assertEquals("messages[0].tool_call_id", error.param().orElseThrow());
    }

    @Test
    void unknownRoleIsRejected() {
        assertThrows(InvalidRequest.class, () -> GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"narrator","content":"x"}]}""")));
    }

    @ParameterizedTest
    @CsvSource({"none, NONE", "auto, AUTO", "required, ANY"})
    void toolChoiceBecomesTheFunctionCallingMode(String choice, String mode) {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":"x"}],"tool_choice":"%s",\
                "tools":[{"type":"function","function":{"name":"f"}}]}""".formatted(choice)));

        assertEquals(mode, out.path("toolConfig").path("functionCallingConfig").path("mode").asText());
        assertFalse(out.path("tools").path(0).path("functionDeclarations").path(0).has("parameters"));
    }

    @Test
    void namedToolChoiceAllowsOnlyThatFunctionAndSchemaKeywordsGeminiRejectsAreDropped() {
        JsonNode out = GeminiMapper.toGenerateContentRequest(json("""
                {"messages":[{"role":"user","content":"x"}],\
                "tool_choice":{"type":"function","function":{"name":"f"}},\
                "tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":{\
                "$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,\
                "properties":{"additionalProperties":{"type":"string"},\
                "inner":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer"}}}}}}}]}"""));

        assertEquals(json("{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"f\"]}}"),
                out.path("toolConfig"));
        assertEquals(json("""
                {"type":"object","properties":{"additionalProperties":{"type":"string"},\
                "inner":{"type":"object","properties":{"a":{"type":"integer"}}}}}"""),
                out.path("tools").path(0).path("functionDeclarations").path(0).path("parameters"));
    }

    @ParameterizedTest
    @CsvSource({"STOP, false, stop", "STOP, true, tool_calls", "MAX_TOKENS, false, length",
            "SAFETY, false, content_filter", "RECITATION, false, content_filter", "BLOCKLIST, false, content_filter",
            "PROHIBITED_CONTENT, false, content_filter", "SPII, false, content_filter", "OTHER, false, stop"})
    void finishReasonsMapToOpenAis(String reason, boolean calledTools, String expected) {
        assertEquals(expected, GeminiMapper.finishReason(reason, calledTools));
    }

    @Test
    void thoughtPartsBecomeReasoningContent() {
        JsonNode out = GeminiMapper.toChatCompletion(json("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Let me think.","thought":true},\
                {"text":"42"}]},"finishReason":"STOP"}]}"""), "gemini-2.5-pro", 1);

        JsonNode message = out.path("choices").path(0).path("message");
        assertEquals("42", message.path("content").asText());
        assertEquals("Let me think.", message.path("reasoning_content").asText());
        assertEquals("gemini-2.5-pro", out.path("model").asText());
        assertTrue(out.path("id").asText().startsWith("chatcmpl-"));
    }

    @Test
    void blockedPromptIsAContentFilterFinish() {
        JsonNode out = GeminiMapper.toChatCompletion(json("""
                {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":9,\
                "totalTokenCount":9}}"""), "gemini-2.5-flash", 1);

        assertEquals("content_filter", out.path("choices").path(0).path("finish_reason").asText());
        assertEquals(9, out.path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void embeddingInputsOtherThanTextAreRejected() {
        assertThrows(InvalidRequest.class, () -> GeminiMapper.toBatchEmbedRequest(json("{\"input\":[[1,2,3]]}"),
                "gemini-embedding-001"));
        assertThrows(InvalidRequest.class, () -> GeminiMapper.toBatchEmbedRequest(json("{\"input\":[]}"),
                "gemini-embedding-001"));
    }

    @Test
    void embeddingUsageIsReadWhenGeminiReportsIt() {
        JsonNode out = GeminiMapper.toEmbeddings(json("""
                {"embeddings":[{"values":[0.5]}],"usageMetadata":{"promptTokenCount":4}}"""), "m", false);

        assertEquals(4, out.path("usage").path("prompt_tokens").asInt());
        assertEquals(4, out.path("usage").path("total_tokens").asInt());
    }

    @Test
    void resourcePrefixIsDroppedFromTheModel() {
        assertEquals("gemini-2.5-flash", GeminiMapper.upstreamModel("models/gemini-2.5-flash"));
        assertEquals("gemini-2.5-flash", GeminiMapper.upstreamModel("gemini-2.5-flash"));
    }
}
