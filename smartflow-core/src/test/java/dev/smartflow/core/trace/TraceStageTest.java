package dev.smartflow.core.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.Pipeline;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.routing.RouteStage;
import dev.smartflow.core.testing.FakeProvider;
import dev.smartflow.core.testing.FakeResolver;
import dev.smartflow.core.testing.FakeTicker;
import dev.smartflow.core.testing.Json;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceStageTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeProvider provider = new FakeProvider("openai");
    private final Pipeline pipeline = Pipeline.builder()
            .addStage(new TraceStage(ticker))
            .route(new RouteStage(new FakeResolver(provider)))
            .build();

    @Test
    void answerCarriesTheRequestIdOfTheExchange() {
        // given
        provider.reply(Json.completion("hi", 1, 1));
        Exchange exchange = Json.chat("gpt-4o");

        // when
        Response response = pipeline.execute(exchange);

        // then
        assertEquals(Optional.of(exchange.id().value()), response.headers().get(TraceStage.REQUEST_ID));
    }

    @Test
    void latencyIsMeasuredWithTheInjectedTicker() {
        // given
        provider.answer(exchange -> {
            ticker.advance(Duration.ofNanos(1_500_000));
            return Json.completion("hi", 1, 1);
        });

        // when
        Response response = pipeline.execute(Json.chat("gpt-4o"));

        // then
        assertEquals(Optional.of("1.500"), response.headers().get(TraceStage.LATENCY_MS));
    }

    @Test
    void latencyIsZeroWhenNoTimePasses() {
        // given
        provider.reply(Json.completion("hi", 1, 1));

        // when
        Response response = pipeline.execute(Json.chat("gpt-4o"));

        // then
        assertEquals(Optional.of("0.000"), response.headers().get(TraceStage.LATENCY_MS));
    }

    @Test
    void millisOfZeroIsZero() {
        // when / then
        assertEquals("0.000", TraceStage.millis(0));
    }

    @Test
    void millisDropsWhatIsBelowOneMicrosecond() {
        // when / then
        assertEquals("0.000", TraceStage.millis(999));
    }

    @Test
    void millisShowsThreeDecimals() {
        // when / then
        assertEquals("12.345", TraceStage.millis(12_345_678));
    }

    @Test
    void millisPadsSmallFractions() {
        // when / then
        assertEquals("3.007", TraceStage.millis(3_007_000));
        assertEquals("3.070", TraceStage.millis(3_070_000));
    }

    @Test
    void millisOfANegativeDurationIsZero() {
        // when / then
        assertEquals("0.000", TraceStage.millis(-5_000_000));
    }
}
