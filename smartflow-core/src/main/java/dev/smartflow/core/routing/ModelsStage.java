package dev.smartflow.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.Chain;
import dev.smartflow.core.Stage;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.spi.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers {@code GET /v1/models} with the models of every available provider, asked in parallel. Ids of providers
 * other than {@code openai} carry their routing prefix ({@code groq/llama-3.3-70b-versatile}) so that every listed id
 * can be sent back as a {@code model} and reach the provider that listed it. A provider that cannot be asked is left
 * out, with a warning, rather than failing the whole list.
 */
public final class ModelsStage implements Stage {
    private static final System.Logger LOG = System.getLogger(ModelsStage.class.getName());

    /** One slow provider must not hold up the whole list. */
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);

    private final ModelResolver resolver;

    public ModelsStage(ModelResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.operation() != Operation.MODELS) {
            return chain.proceed(exchange);
        }
        List<Provider> providers = resolver.available();
        List<Future<List<JsonNode>>> lists = new ArrayList<>(providers.size());
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (Provider provider : providers) {
                lists.add(executor.submit(provider::models));
            }
            executor.shutdown();
            executor.awaitTermination(LIST_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
        ObjectNode out = Body.MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < providers.size(); i++) {
            Provider provider = providers.get(i);
            for (JsonNode model : modelsOf(provider, lists.get(i), exchange)) {
                String id = model.path("id").asText("");
                if (id.isEmpty()) {
                    continue;
                }
                String routed = provider.name().equals("openai") ? id : provider.name() + "/" + id;
                if (seen.add(routed)) {
                    ObjectNode entry = model.isObject() ? ((ObjectNode) model).deepCopy() : data.objectNode();
                    entry.put("id", routed).put("object", "model");
                    if (!entry.has("created")) {
                        entry.put("created", 0);
                    }
                    if (!entry.has("owned_by")) {
                        entry.put("owned_by", provider.name());
                    }
                    data.add(entry);
                }
            }
        }
        return Response.Complete.json(Body.of(out));
    }

    private static List<JsonNode> modelsOf(Provider provider, Future<List<JsonNode>> list, Exchange exchange) {
        try {
            return list.get(0, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            list.cancel(true);
            LOG.log(System.Logger.Level.WARNING, () -> exchange.id() + ": models of " + provider.name()
                    + " left out: no answer within " + LIST_TIMEOUT.toSeconds() + " s");
            return List.of();
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, () -> exchange.id() + ": models of " + provider.name()
                    + " left out: " + e.getCause().getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
