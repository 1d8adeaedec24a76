package dev.smartflow.providers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import java.util.List;

/** A provider that answers an empty JSON object; stands in for adapters of later modules. */
record FakeProvider(String name, boolean available) implements Provider {
    @Override
    public Response call(Exchange exchange, String model) {
        return Response.Complete.json(Body.json("{}"));
    }

    @Override
    public List<JsonNode> models() {
        return List.of();
    }
}
