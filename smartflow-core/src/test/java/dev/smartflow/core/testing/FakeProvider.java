package dev.smartflow.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link Provider} that plays back scripted replies and failures in order and records every call it served.
 * Thread-safe, because {@code ModelsStage} asks providers from virtual threads.
 */
public final class FakeProvider implements Provider {
    /** One call the provider saw: the exchange and the upstream model name it was asked for. */
    public record Call(Exchange exchange, String model) {
    }

    private final String name;
    private final Queue<Function<Exchange, Response>> script = new ConcurrentLinkedQueue<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile List<JsonNode> models = List.of();
    private volatile RuntimeException modelsFailure;

    public FakeProvider(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Queues a reply. */
    public FakeProvider reply(Response response) {
        Objects.requireNonNull(response, "response");
        return answer(exchange -> response);
    }

    /** Queues a 200 JSON reply. */
    public FakeProvider replyJson(String json) {
        return reply(Response.Complete.json(Body.json(json)));
    }

    /** Queues a failure, thrown from {@link #call}. */
    public FakeProvider fail(RuntimeException failure) {
        Objects.requireNonNull(failure, "failure");
        return answer(exchange -> {
            throw failure;
        });
    }

    /** Queues a computed reply, e.g. one that advances a fake ticker or returns null. */
    public FakeProvider answer(Function<Exchange, Response> answer) {
        script.add(Objects.requireNonNull(answer, "answer"));
        return this;
    }

    /** What {@link #models()} returns: one OpenAI model object per id, without {@code created} or owner. */
    public FakeProvider models(String... ids) {
        List<JsonNode> list = new ArrayList<>();
        for (String id : ids) {
            list.add(Body.MAPPER.createObjectNode().put("id", id).put("object", "model"));
        }
        return modelObjects(list);
    }

    /** What {@link #models()} returns, as given. */
    public FakeProvider modelObjects(List<JsonNode> list) {
        models = List.copyOf(list);
        modelsFailure = null;
        return this;
    }

    /** Makes {@link #models()} throw. */
    public FakeProvider failModels(RuntimeException failure) {
        modelsFailure = Objects.requireNonNull(failure, "failure");
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Response call(Exchange exchange, String model) {
        calls.add(new Call(exchange, model));
        Function<Exchange, Response> next = script.poll();
        if (next == null) {
            throw new AssertionError("FakeProvider " + name + " has no scripted reply left");
        }
        return next.apply(exchange);
    }

    @Override
    public List<JsonNode> models() {
        RuntimeException failure = modelsFailure;
        if (failure != null) {
            throw failure;
        }
        return models;
    }

    /** Every call served so far, in order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The only call served so far. */
    public Call onlyCall() {
        if (calls.size() != 1) {
            throw new AssertionError("expected exactly one call to " + name + ", saw " + calls.size());
        }
        return calls.getFirst();
    }

    @Override
    public String toString() {
        return "FakeProvider[" + name + "]";
    }
}
