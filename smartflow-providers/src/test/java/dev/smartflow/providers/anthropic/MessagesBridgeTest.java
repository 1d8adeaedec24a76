package dev.smartflow.providers.anthropic;

import static dev.smartflow.providers.WireFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Chunk;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.providers.HttpTransport;
import dev.smartflow.providers.ProviderSettings;
import dev.smartflow.providers.WireFixtures;
import dev.smartflow.providers.openai.OpenAiProvider;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Native Messages calls served by an OpenAI-shaped provider, translated there and back. */
@Timeout(20)
final class MessagesBridgeTest {
    @StartStop
    private final MockWebServer server = new MockWebServer();
    private final HttpTransport transport = HttpTransport.create();

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    @Test
    void messagesRequestBecomesAChatRequest() {
        JsonNode out = MessagesBridge.toChatRequest(json("""
                {"model":"gpt-4o","max_tokens":128,"system":[{"type":"text","text":"Be brief."}],\
                "temperature":0.3,"stop_sequences":["END"],"metadata":{"user_id":"u-1"},"messages":[\
                {"role":"user","content":[{"type":"text","text":"Weather here?"},\
                {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},\
                {"role":"assistant","content":[{"type":"text","text":"Checking."},\
                {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris"}}]},\
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},\
                {"type":"text","text":"And tomorrow?"}]}],\
                "tools":[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object"}}],\
                "tool_choice":{"type":"any","disable_parallel_tool_use":true}}"""), "gpt-4o");

        assertEquals(json("""
                {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},\
                {"role":"user","content":[{"type":"text","text":"Weather here?"},\
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},\
                {"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function",\
                "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}}]},\
                {"role":"tool","tool_call_id":"toolu_1","content":"18C"},\
                {"role":"user","content":"And tomorrow?"}],\
                "max_tokens":128,"temperature":0.3,"stop":["END"],"user":"u-1",\
                "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",\
                "parameters":{"type":"object"}}}],"tool_choice":"required","parallel_tool_calls":false}"""),
                json(out.toString()));
    }

    @Test
    void chatCompletionBecomesAMessage() {
        JsonNode out = MessagesBridge.toMessage(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,\
                "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",\
                "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Rome\\"}"}}]},\
                "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":7,"total_tokens":37,\
                "prompt_tokens_details":{"cached_tokens":10}}}"""));

        assertEquals(json("""
                {"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o","content":[\
                {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Rome"}}],\
                "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,\
                "cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":7}}"""),
                json(out.toString()));
    }

    @Test
    void openAiProviderServesAMessagesCallByTranslation() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "application/json").body("""
                {"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,\
                "message":{"role":"assistant","content":"Hi there"},"finish_reason":"length"}],\
                "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""").build());
        OpenAiProvider openAi = new OpenAiProvider(ProviderSettings.of("openai").withApiKey("sk-test-0123456789")
                .withApiBase(server.url("/v1").toString()), transport);

        Response response = openAi.call(Exchange.of(Operation.ANTHROPIC_MESSAGES, Body.json(
                "{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                Headers.EMPTY), "gpt-4o-mini");

        RecordedRequest sent = server.takeRequest();
        assertEquals("/v1/chat/completions", sent.getUrl().encodedPath());
        assertEquals(json("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"max_tokens\":16}"), json(sent.getBody().utf8()));
        JsonNode message = assertInstanceOf(Response.Complete.class, response).body().json();
        assertEquals("message", message.path("type").asText());
        assertEquals("Hi there", message.at("/content/0/text").asText());
        assertEquals("max_tokens", message.path("stop_reason").asText());
        assertEquals(5, message.at("/usage/input_tokens").asInt());
    }

    @Test
    void chatStreamBecomesMessagesEventsWithToolUseBlocks() throws Exception {
        String[] chunks = {
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"content\":\"Checking.\"},\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_7\",\"type\":\"function\",\"function\":"
                    + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\":\"}}]},"
                    + "\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Rome\\\"}\"}}]},"
                    + "\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},"
                    + "\"finish_reason\":\"tool_calls\"}]}",
            "{\"id\":\"chatcmpl-5\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,"
                    + "\"completion_tokens\":9,\"total_tokens\":29}}",
        };
        StringBuilder transcript = new StringBuilder();
        for (String chunk : chunks) {
            transcript.append("data: ").append(chunk).append("\n\n");
        }
        server.enqueue(new MockResponse.Builder().addHeader("content-type", "text/event-stream")
                .body(transcript.append("data: [DONE]\n\n").toString()).build());
        OpenAiProvider openAi = new OpenAiProvider(ProviderSettings.of("openai").withApiKey("sk-test-0123456789")
                .withApiBase(server.url("/v1").toString()), transport);

        Response response = openAi.call(Exchange.of(Operation.ANTHROPIC_MESSAGES, Body.json("{\"model\":"
                + "\"gpt-4o-mini\",\"stream\":true,\"max_tokens\":16,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Weather?\"}]}"), Headers.EMPTY), "gpt-4o-mini");

        JsonNode sent = json(server.takeRequest().getBody().utf8());
        assertEquals(true, sent.path("stream").booleanValue());
        assertEquals(true, sent.at("/stream_options/include_usage").booleanValue());
        List<Chunk> events = WireFixtures.readAll(assertInstanceOf(Response.Streamed.class, response).chunks());
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop"), events.stream().map(Chunk::event).toList());
        for (Chunk event : events) {
            assertEquals(event.event(), event.data().json().path("type").asText());
        }
        assertEquals("Checking.", events.get(2).data().json().at("/delta/text").asText());
        JsonNode toolUse = events.get(4).data().json();
        assertEquals(1, toolUse.path("index").asInt());
        assertEquals("call_7", toolUse.at("/content_block/id").asText());
        assertEquals("get_weather", toolUse.at("/content_block/name").asText());
        String arguments = events.get(5).data().json().at("/delta/partial_json").asText()
                + events.get(6).data().json().at("/delta/partial_json").asText();
        assertEquals(json("{\"location\":\"Rome\"}"), json(arguments));
        JsonNode delta = events.get(8).data().json();
        assertEquals("tool_use", delta.at("/delta/stop_reason").asText());
        assertEquals(9, delta.at("/usage/output_tokens").asInt());
        assertEquals(20, delta.at("/usage/input_tokens").asInt());
    }
}
