package dev.smartflow.examples;

import dev.smartflow.client.AIResponse;
import dev.smartflow.client.CacheStats;
import dev.smartflow.client.Message;
import dev.smartflow.client.SmartflowClient;
import dev.smartflow.client.SyncSmartflowClient;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SDK guide's quick start in Java: a chat, the same chat asynchronously, a streamed answer, a full completion with
 * its usage and cost, the gateway's health, and the cache's figures when the cache module is installed.
 *
 * <pre>
 * examples/run.sh QuickStart                                   # a local gateway with a scripted model
 * SMARTFLOW_URL=http://localhost:7775 SMARTFLOW_API_KEY=... examples/run.sh QuickStart
 * </pre>
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) {
        try (LocalGateway gateway = LocalGateway.connect((model, system, message) ->
                "(" + model + ") a short answer to: " + message)) {
            System.out.println(run(gateway));
        }
    }

    /** What the quick start prints. */
    static String run(LocalGateway gateway) {
        SyncSmartflowClient sf = gateway.client();
        StringBuilder out = new StringBuilder();
        out.append(sf.chat("What is machine learning?")).append('\n');

        SmartflowClient async = sf.async();
        out.append(async.chat("Explain quantum computing in simple terms").join()).append('\n');

        try (Stream<String> deltas = sf.streamChat("Tell me a story about a robot")) {
            out.append(deltas.collect(Collectors.joining())).append('\n');
        }

        AIResponse response = sf.chatCompletions(List.of(Message.system("You are a helpful assistant."),
                Message.user("What is REST API?")));
        out.append("Tokens used: ").append(response.usage().totalTokens()).append(", served by ")
                .append(response.provider()).append(", cost $")
                .append(response.costUsd().map(c -> c.toPlainString()).orElse("unknown"))
                .append(", cached: ").append(response.cached()).append('\n');

        out.append("Gateway: ").append(sf.healthComprehensive().status()).append('\n');
        if (gateway.hasModule("cache")) {
            CacheStats stats = sf.getCacheStats();
            out.append(String.format("Cache hit rate: %.1f%%, tokens saved: %,d", stats.hitRate() * 100,
                    stats.tokensSaved()));
        } else {
            out.append("Cache: the cache module is not installed in this gateway, so there are no cache figures");
        }
        return out.toString();
    }
}
