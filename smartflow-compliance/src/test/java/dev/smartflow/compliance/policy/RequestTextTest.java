package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.exchange.Body;
import org.junit.jupiter.api.Test;

class RequestTextTest {
    @Test
    void theTextIsReadWhereverTheEndpointsShapePutsIt() {
        Body chat = Body.json("""
                {"model":"gpt-4o","temperature":0.2,"messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":[{"type":"text","text":"Look at this"},
                    {"type":"image_url","image_url":{"url":"https://example.com/x.png"}}]},
                  {"role":"tool","tool_call_id":"c1","content":"result 42"}]}""");
        Body anthropic = Body.json("""
                {"model":"claude-sonnet-4-5","system":[{"type":"text","text":"House rules."}],"messages":[
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[
                    {"type":"text","text":"tool says hi"}]}]}]}""");

        assertEquals("Be brief.\n\nLook at this\n\nresult 42", RequestText.of(chat));
        assertEquals("House rules.\n\ntool says hi", RequestText.of(anthropic));
        assertEquals("a\n\nb", RequestText.of(Body.json("{\"model\":\"e\",\"input\":[\"a\",\"b\"]}")));
        assertEquals("q\n\nd1", RequestText.of(Body.json("{\"query\":\"q\",\"documents\":[{\"text\":\"d1\"}]}")));
        assertEquals("", RequestText.of(Body.json("{\"model\":\"e\",\"input\":[[1,2,3]]}")));
        assertEquals("", RequestText.of(Body.json("[1]")));
    }

    @Test
    void redactionRewritesOnlyTheText() {
        Body chat = Body.json("""
                {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"secret here"},
                  {"type":"image_url","image_url":{"url":"https://example.com/secret.png"}}]}],"user":"secret"}""");

        Body redacted = RequestText.redact(chat, text -> text.replace("secret", "[X]"));

        assertEquals(Body.json("""
                {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"[X] here"},
                  {"type":"image_url","image_url":{"url":"https://example.com/secret.png"}}]}],"user":"secret"}""")
                .json(), redacted.json());
        assertEquals("secret here", chat.json().path("messages").get(0).path("content").get(0).path("text").asText(),
                "the original body is untouched");
    }
}
