package dev.smartflow.compliance.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.ChatRequest;
import dev.smartflow.core.routing.ModelResolver;
import dev.smartflow.core.routing.Target;
import dev.smartflow.core.spi.Provider;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Compliance in-process: the stages installed on a {@code Smartflow} with a provider that echoes what it was sent. */
class ComplianceStagesTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\[EMAIL_[A-Z2-7]{8}]");

    /** Answers with the last user message it received, so what the provider saw comes back. */
    private static final class EchoProvider implements Provider {
        final AtomicReference<String> seen = new AtomicReference<>();

        @Override
        public String name() {
            return "openai";
        }

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public Response call(Exchange exchange, String model) {
            JsonNode messages = exchange.body().json().path("messages");
            String content = messages.get(messages.size() - 1).path("content").asText();
            seen.set(content);
            var answer = Body.MAPPER.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                    .put("model", model);
            answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                    .putObject("message").put("role", "assistant").put("content", "You said: " + content);
            return new Response.Complete(200, Headers.of("content-type", "application/json"), Body.of(answer));
        }

        @Override
        public List<JsonNode> models() {
            return List.of();
        }
    }

    private static Smartflow smartflow(EchoProvider provider, String policy) {
        ModelResolver resolver = new ModelResolver() {
            @Override
            public Target resolve(String model) {
                return new Target(provider, model);
            }

            @Override
            public List<Provider> available() {
                return List.of(provider);
            }
        };
        ComplianceEngine engine = ComplianceEngine.builder().defaultPolicy(policy).keys(PseudonymKeys.random())
                .build();
        return Smartflow.builder().resolver(resolver).install(new ComplianceStages(engine, true)).build();
    }

    @Test
    void anEmbeddedCallIsRedactedAndPseudonymisedAndItsAnswerRestored() {
        EchoProvider provider = new EchoProvider();
        try (Smartflow smartflow = smartflow(provider, "enterprise_standard")) {
            String answer = smartflow.chat(ChatRequest.of("gpt-4o-mini",
                    "SSN 212-67-4455, mail john@example.com")).content();
            Matcher placeholder = PLACEHOLDER.matcher(provider.seen.get());
            assertTrue(placeholder.find(), provider.seen.get());
            assertTrue(provider.seen.get().startsWith("SSN [SSN], mail [EMAIL_"), provider.seen.get());
            assertFalse(provider.seen.get().contains("john@example.com"));
            assertEquals("You said: SSN [SSN], mail john@example.com", answer);
        }
    }

    @Test
    void aBlockedEmbeddedCallNeverReachesTheProvider() {
        EchoProvider provider = new EchoProvider();
        try (Smartflow smartflow = smartflow(provider, "pci_dss_strict")) {
            GatewayError error = assertThrows(GatewayError.class, () -> smartflow.chat(ChatRequest.of("gpt-4o-mini",
                    "card 4111 1111 1111 1111")));
            assertEquals(403, error.status());
            assertEquals("compliance_violation", error.code().orElseThrow());
            assertEquals(null, provider.seen.get());
        }
    }
}
