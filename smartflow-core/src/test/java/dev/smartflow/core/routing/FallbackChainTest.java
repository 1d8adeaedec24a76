package dev.smartflow.core.routing;

import static dev.smartflow.core.testing.Json.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FallbackChainTest {
    private static JsonNode json(String singleQuoted) throws Exception {
        return Body.MAPPER.readTree(q(singleQuoted));
    }

    private static String refusedParam(String singleQuoted) throws Exception {
        JsonNode json = json(singleQuoted);
        InvalidRequest refused = assertThrows(InvalidRequest.class, () -> FallbackChain.fromJson(json,
                Optional.empty()));
        assertEquals(400, refused.status());
        return refused.param().orElse("");
    }

    @Test
    void theReferenceExampleReadsWithItsStatusesAsStrings() throws Exception {
        FallbackChain chain = FallbackChain.fromJson(json("{'name':'production-chain','targets':["
                + "{'provider':'openai','model':'gpt-4o','weight':1},"
                + "{'provider':'anthropic','model':'claude-sonnet-4-6','weight':1},"
                + "{'provider':'google','model':'gemini-1.5-pro','weight':1}],"
                + "'retry_on':['429','500','502','503'],'max_retries':2,'backoff_ms':500}"), Optional.empty());

        assertEquals("production-chain", chain.name());
        assertEquals(List.of(ChainTarget.of("openai", "gpt-4o"), ChainTarget.of("anthropic", "claude-sonnet-4-6"),
                ChainTarget.of("google", "gemini-1.5-pro")), chain.targets());
        assertEquals(Strategy.PRIORITY, chain.strategy());
        assertEquals(Set.of(429, 500, 502, 503), chain.retryOn());
        assertEquals(2, chain.maxRetries());
        assertEquals(Duration.ofMillis(500), chain.backoff());
        assertEquals(FallbackChain.DEFAULT_DEADLINE, chain.deadline());
    }

    @Test
    void writtenAndReadBackItIsTheSameChain() throws Exception {
        FallbackChain chain = new FallbackChain("c.1", List.of(ChainTarget.of("openai", "gpt-4o").withWeight(3)
                        .withDailyBudgetMicros(50_000_000), new ChainTarget("openai", "gpt-4o-mini", 0,
                        OptionalLong.empty(), Optional.of("https://eu.example.com/v1"), Optional.of("OPENAI_EU_KEY"))),
                Strategy.COST, Set.of(429, 503), 5, Duration.ofMillis(50), Duration.ofSeconds(30));

        JsonNode written = chain.toJson();

        assertEquals(chain, FallbackChain.fromJson(written, Optional.empty()));
        assertEquals("50.0", written.path("targets").get(0).path("daily_budget_usd").toString());
        assertEquals(q("['429','503']"), written.path("retry_on").toString());
    }

    @Test
    void everyWrongFieldIsNamed() throws Exception {
        assertEquals("name", refusedParam("{'targets':[{'provider':'openai','model':'m'}]}"));
        assertEquals("name", refusedParam("{'name':'has space','targets':[{'provider':'openai','model':'m'}]}"));
        assertEquals("targets", refusedParam("{'name':'c','targets':[]}"));
        assertEquals("targets[0].model", refusedParam("{'name':'c','targets':[{'provider':'openai'}]}"));
        assertEquals("targets[0].weight", refusedParam("{'name':'c','targets':[{'provider':'openai','model':'m',"
                + "'weight':-1}]}"));
        assertEquals("targets[0].daily_budget_usd", refusedParam("{'name':'c','targets':[{'provider':'openai',"
                + "'model':'m','daily_budget_usd':1e400}]}"));
        assertEquals("targets[0].api_base", refusedParam("{'name':'c','targets':[{'provider':'openai',"
                + "'model':'m','api_base':'ftp://x'}]}"));
        assertEquals("targets[0].mdoel", refusedParam("{'name':'c','targets':[{'provider':'openai','model':'m',"
                + "'mdoel':'x'}]}"));
        assertEquals("strategy", refusedParam("{'name':'c','strategy':'fastest','targets':[{'provider':'openai',"
                + "'model':'m'}]}"));
        assertEquals("retry_on", refusedParam("{'name':'c','retry_on':['200'],'targets':[{'provider':'openai',"
                + "'model':'m'}]}"));
        assertEquals("max_retries", refusedParam("{'name':'c','max_retries':11,'targets':[{'provider':'openai',"
                + "'model':'m'}]}"));
        assertEquals("backoff_ms", refusedParam("{'name':'c','backoff_ms':1.5,'targets':[{'provider':'openai',"
                + "'model':'m'}]}"));
        assertEquals("targets", refusedParam("{'name':'c','strategy':'weighted','targets':[{'provider':'openai',"
                + "'model':'m','weight':0}]}"));
        assertEquals("targets[0].provider", refusedParam("{'name':'c','targets':[{'provider':'open ai',"
                + "'model':'m'}]}"));
    }

    @Test
    void aNameInThePathMustAgreeWithTheBody() throws Exception {
        JsonNode body = json("{'name':'other','targets':[{'provider':'openai','model':'m'}]}");

        InvalidRequest refused = assertThrows(InvalidRequest.class, () -> FallbackChain.fromJson(body,
                Optional.of("mine")));

        assertEquals(Optional.of("name"), refused.param());
        assertEquals("mine", FallbackChain.fromJson(json("{'targets':[{'provider':'openai','model':'m'}]}"),
                Optional.of("mine")).name());
    }
}
