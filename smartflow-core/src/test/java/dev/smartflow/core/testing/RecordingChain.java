package dev.smartflow.core.testing;

import dev.smartflow.core.Chain;
import dev.smartflow.core.exchange.Attempt;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** A {@link Chain} for testing one stage alone: answers {@code proceed} with a fixed reply and records the exchanges. */
public final class RecordingChain implements Chain {
    public static final Response OK = Response.Complete.json(Body.json("{\"ok\":true}"));

    private final Function<Exchange, Response> answer;
    private final List<Exchange> proceeded = new ArrayList<>();

    public RecordingChain(Function<Exchange, Response> answer) {
        this.answer = Objects.requireNonNull(answer, "answer");
    }

    /** A chain that answers {@link #OK}. */
    public RecordingChain() {
        this(exchange -> OK);
    }

    @Override
    public Response proceed(Exchange exchange) {
        proceeded.add(exchange);
        return answer.apply(exchange);
    }

    @Override
    public Optional<Attempt> attempt() {
        return Optional.empty();
    }

    /** Every exchange passed to {@code proceed}, in order. */
    public List<Exchange> proceeded() {
        return List.copyOf(proceeded);
    }

    public boolean wasProceeded() {
        return !proceeded.isEmpty();
    }

    /** The only exchange passed on. */
    public Exchange onlyExchange() {
        if (proceeded.size() != 1) {
            throw new AssertionError("expected exactly one proceed, saw " + proceeded.size());
        }
        return proceeded.getFirst();
    }
}
