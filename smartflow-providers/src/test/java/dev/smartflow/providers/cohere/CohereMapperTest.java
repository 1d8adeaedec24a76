package dev.smartflow.providers.cohere;

import static dev.smartflow.providers.WireFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The translation rules on their own, for what the wire tests do not spell out. */
final class CohereMapperTest {
    private static JsonNode request(String chat) {
        return CohereMapper.toChatRequest(json(chat), "command-a-03-2025", false);
    }

    @Test
    void developerIsSystemAndImagesAndTextPartsKeepOpenAisShape() {
        JsonNode sent = request("""
                {"messages":[{"role":"developer","content":[{"type":"text","text":"Be brief."}]},\
                {"role":"user","content":[{"type":"text","text":"What is this?"},\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]}]}""");

        assertEquals(json("""
                [{"role":"system","content":[{"type":"text","text":"Be brief."}]},\
                {"role":"user","content":[{"type":"text","text":"What is this?"},\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]}]"""),
                sent.path("messages"));
    }

    @Test
    void samplingAndFormatFieldsAreRenamed() {
        JsonNode sent = request("""
                {"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":99,"max_tokens":5,\
                "top_k":40,"stop":["a","b"],"frequency_penalty":0.2,"presence_penalty":0.1,"logprobs":true,\
                "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}}""");

        assertEquals(99, sent.path("max_tokens").asInt(), "max_completion_tokens wins");
        assertEquals(40, sent.path("k").asInt());
        assertEquals(json("[\"a\",\"b\"]"), sent.path("stop_sequences"));
        assertEquals(0.2, sent.path("frequency_penalty").asDouble());
        assertEquals(0.1, sent.path("presence_penalty").asDouble());
        assertTrue(sent.path("logprobs").asBoolean());
        assertEquals(json("{\"type\":\"json_object\",\"json_schema\":{\"type\":\"object\"}}"),
                sent.path("response_format"));
    }

    @Test
    void coheresOwnFieldsPassThroughAndAStrictFunctionMakesToolsStrict() {
        JsonNode sent = request("""
                {"messages":[{"role":"user","content":"hi"}],"documents":["Cats sleep a lot."],\
                "safety_mode":"STRICT","tools":[{"type":"function","function":{"name":"f","strict":true,\
                "parameters":{"type":"object"}}}],"tool_choice":"none"}""");

        assertEquals(json("[\"Cats sleep a lot.\"]"), sent.path("documents"));
        assertEquals("STRICT", sent.path("safety_mode").asText());
        assertTrue(sent.path("strict_tools").asBoolean());
        assertEquals("NONE", sent.path("tool_choice").asText());
        assertFalse(sent.path("tools").path(0).path("function").has("strict"));
    }

    @Test
    void moreThanOneChoiceIsRefused() {
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> request("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}"));

        assertEquals("n", error.param().orElseThrow());
    }

    @Test
    void aToolChoiceNamingAnUnofferedFunctionIsRefused() {
        InvalidRequest error = assertThrows(InvalidRequest.class, () -> request("""
                {"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"a"}}],\
                "tool_choice":{"type":"function","function":{"name":"b"}}}"""));

        assertEquals("tool_choice", error.param().orElseThrow());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'role':'tool','content':'42'}                                | messages[0].tool_call_id",
            "{'role':'function','name':'f','content':'42'}                 | messages[0].role",
            "{'role':'user','content':[{'type':'input_audio','input_audio':{}}]} | messages[0].content",
            "{'role':'assistant','tool_calls':[{'type':'function','function':{'name':'f'}}]} | messages[0].tool_calls",
            "{'role':'assistant','tool_calls':[{'id':'c','function':{'name':'f','arguments':'{'}}]} "
                    + "| messages[0].tool_calls"})
    void messagesCohereCannotTakeAreRefusedNamingTheParameter(String message, String param) {
        InvalidRequest error = assertThrows(InvalidRequest.class,
                () -> request("{\"messages\":[" + message.replace('\'', '"') + "]}"));

        assertEquals(param, error.param().orElseThrow());
    }

    @ParameterizedTest
    @CsvSource({"COMPLETE, false, stop", "STOP_SEQUENCE, false, stop", "MAX_TOKENS, false, length",
            "TOOL_CALL, true, tool_calls", "COMPLETE, true, tool_calls", "SOMETHING_NEW, false, stop"})
    void finishReasonsMapToOpenAis(String cohere, boolean calledTools, String openAi) {
        assertEquals(openAi, CohereMapper.finishReason(cohere, calledTools));
    }

    @Test
    void usageFallsBackToRawTokensAndNeverCountsMoreCachedThanPrompt() {
        JsonNode usage = CohereMapper.usage(json("{\"tokens\":{\"input_tokens\":10,\"output_tokens\":2.0},"
                + "\"cached_tokens\":50}"));

        assertEquals(json("{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":10}}"), json(usage.toString()));
    }

    @Test
    void thinkingAndThePlanAreReasoningAndTextIsContent() {
        JsonNode completion = CohereMapper.toChatCompletion(json("""
                {"id":"x","finish_reason":"COMPLETE","message":{"role":"assistant","content":[\
                {"type":"thinking","thinking":"Let me think."},{"type":"text","text":"Four."}]},\
                "usage":{"billed_units":{"input_tokens":3,"output_tokens":9}}}"""), "command-a-reasoning-08-2025", 1);

        JsonNode message = completion.path("choices").path(0).path("message");
        assertEquals("Four.", message.path("content").asText());
        assertEquals("Let me think.", message.path("reasoning_content").asText());
        assertFalse(message.has("tool_calls"));
    }

    @Test
    void rerankRequestAndAnswerAreLeftAloneWhenNothingNeedsChanging() {
        Body request = Body.json("{\"model\":\"rerank-v3.5\",\"query\":\"q\",\"documents\":[\"a\"]}");
        Body answer = Body.json("{\"results\":[{\"index\":0,\"relevance_score\":0.5}]}");

        assertSame(request, CohereMapper.toRerankRequest(request, "rerank-v3.5"));
        assertSame(answer, CohereMapper.toRerankAnswer(answer, request.json()));
    }
}
