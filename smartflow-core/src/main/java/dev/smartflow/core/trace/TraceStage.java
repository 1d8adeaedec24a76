package dev.smartflow.core.trace;

import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.Ticker;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.exchange.TraceId;
import java.util.Objects;

/**
 * The first stage: stamps {@code x-smartflow-request-id}, {@code x-a2a-trace-id} and {@code x-smartflow-latency-ms}
 * on every answer. For a
 * stream the latency is the time until the response (its headers) was ready, not until the last chunk.
 */
public final class TraceStage implements Stage {
    public static final String REQUEST_ID = "x-smartflow-request-id";
    public static final String LATENCY_MS = "x-smartflow-latency-ms";

    private final Ticker ticker;

    public TraceStage(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        long start = ticker.nanos();
        Response response = chain.proceed(exchange);
        return response.withHeader(REQUEST_ID, exchange.id().value())
                .withHeader(TraceId.HEADER, exchange.traceId().value())
                .withHeader(LATENCY_MS, millis(ticker.nanos() - start));
    }

    /** Milliseconds with three decimals, without String.format's cost on every call. */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        long fraction = micros % 1_000;
        return (micros / 1_000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }
}
