package dev.smartflow.examples;

import dev.smartflow.client.AIResponse;
import dev.smartflow.client.CacheStats;
import dev.smartflow.client.ChatOptions;
import dev.smartflow.client.Message;
import dev.smartflow.client.SyncSmartflowClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SDK guide's second use case: product descriptions for a catalogue, with structured prompts so that repeated and
 * similar products are answered by the gateway's cache, and the money that saved read from the cache's own figures
 * ({@code cost_saved_cents} before and after). The savings need the gateway's cache module; without it the pipeline
 * still runs and says that nothing was cached.
 *
 * <pre>
 * examples/run.sh CataloguePipeline
 * </pre>
 */
public final class CataloguePipeline {
    /** A product to describe. */
    record Product(String id, String name, String category, List<String> features, BigDecimal price) {
    }

    /** One description and how it was made. */
    record Description(String productId, String text, boolean cached, long tokens) {
    }

    /**
     * What the run did.
     *
     * @param costSavedCents what the cache saved, from its figures; empty without the cache module
     */
    record Summary(List<Description> results, int totalProducts, int cached, long tokensUsed,
                   Optional<BigDecimal> costSavedCents) {
        double hitRate() {
            return totalProducts == 0 ? 0 : (double) cached / totalProducts;
        }
    }

    static final List<Product> CATALOGUE = List.of(
            new Product("p1", "Trail Runner 2", "running shoes", List.of("breathable mesh", "grippy sole"),
                    new BigDecimal("89.99")),
            new Product("p2", "City Commuter Backpack", "bags", List.of("laptop sleeve", "waterproof"),
                    new BigDecimal("59.00")),
            // the same product listed twice (two warehouses): the second description is a cache hit
            new Product("p3", "Trail Runner 2", "running shoes", List.of("breathable mesh", "grippy sole"),
                    new BigDecimal("89.99")),
            new Product("p4", "City Commuter Backpack", "bags", List.of("laptop sleeve", "waterproof"),
                    new BigDecimal("59.00")));

    private CataloguePipeline() {
    }

    public static void main(String[] args) {
        try (LocalGateway gateway = LocalGateway.connect((model, system, message) -> "Meet your new favourite: "
                + message.lines().filter(l -> l.startsWith("Product:")).findFirst().orElse("this product")
                .substring(8).strip() + ". Built to last and priced to move. Order today!")) {
            Summary summary = processCatalog(gateway.client(), CATALOGUE, gateway.hasModule("cache"));
            summary.results().forEach(r -> System.out.println(r.productId() + (r.cached() ? " [CACHED] " : " ")
                    + r.text()));
            System.out.printf("products: %d, cache hit rate: %.1f%%, tokens used: %d, cost saved: %s%n",
                    summary.totalProducts(), summary.hitRate() * 100, summary.tokensUsed(),
                    summary.costSavedCents().map(c -> "$" + c.divide(BigDecimal.valueOf(100), 4,
                            RoundingMode.HALF_EVEN).toPlainString()).orElse("n/a (the cache module is not installed)"));
        }
    }

    /** The guide's structured prompt: the same product gives the same prompt, word for word. */
    static String prompt(Product product) {
        return """
                Write a compelling product description.

                Category: %s
                Product: %s
                Key Features: %s
                Price: $%s

                Requirements: 2-3 sentences, highlight key benefits, call-to-action, professional tone"""
                .formatted(product.category(), product.name(), String.join(", ", product.features()),
                        product.price().setScale(2, RoundingMode.HALF_EVEN).toPlainString());
    }

    static Description generateDescription(SyncSmartflowClient sf, Product product) {
        // a low temperature: the cache keeps answers only of calls that would answer alike again
        AIResponse response = sf.chatCompletions(List.of(Message.user(prompt(product))),
                ChatOptions.builder().model("gpt-4o-mini").temperature(0).build());
        return new Description(product.id(), response.content(), response.cached(), response.usage().totalTokens());
    }

    static Summary processCatalog(SyncSmartflowClient sf, List<Product> products, boolean cacheInstalled) {
        Optional<CacheStats> before = cacheInstalled ? Optional.of(sf.getCacheStats()) : Optional.empty();
        List<Description> results = new ArrayList<>();
        int cached = 0;
        long tokens = 0;
        for (Product product : products) {
            Description description = generateDescription(sf, product);
            results.add(description);
            cached += description.cached() ? 1 : 0;
            tokens += description.tokens();
        }
        Optional<BigDecimal> saved = before.map(initial -> sf.getCacheStats().costSavedCents()
                .subtract(initial.costSavedCents()));
        return new Summary(results, products.size(), cached, tokens, saved);
    }
}
