package dev.smartflow.core;

import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ordered stages every call flows through, in two lists as in OkHttp's interceptor chain:
 * <ul>
 *   <li><em>exchange stages</em> run once per call and may answer it themselves;</li>
 *   <li>the <em>route stage</em> closes that list: it picks a provider and calls {@code proceed} once per attempt;</li>
 *   <li><em>attempt stages</em> run once per provider attempt, never when an exchange stage answered;</li>
 *   <li>after them the attempt's {@link dev.smartflow.core.spi.Provider} serves the call.</li>
 * </ul>
 * Immutable and thread-safe; build it once and share it.
 *
 * <pre>{@code
 * Pipeline pipeline = Pipeline.builder()
 *         .addStage(new TraceStage(Ticker.system()))
 *         .route(new RouteStage(resolver))
 *         .build();
 * Response response = pipeline.execute(exchange);
 * }</pre>
 */
public final class Pipeline {
    final Stage[] stages;
    /** Index of the route stage in {@link #stages}, or -1 when there is none. */
    final int routeIndex;

    private Pipeline(Builder builder) {
        List<Stage> all = new ArrayList<>(builder.exchangeStages);
        routeIndex = builder.route == null ? -1 : all.size();
        if (builder.route != null) {
            all.add(builder.route);
        }
        all.addAll(builder.attemptStages);
        stages = all.toArray(Stage[]::new);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code exchange} through every stage.
     *
     * @throws dev.smartflow.core.error.SmartflowException when a stage or the provider fails the call
     * @throws IllegalStateException when a stage breaks the chain's rules; the message names the stage
     */
    public Response execute(Exchange exchange) {
        Objects.requireNonNull(exchange, "exchange");
        return new RealChain(this, 0, exchange).proceed(exchange);
    }

    /** The stages in the order they run, route stage and attempt stages included. */
    public List<Stage> stages() {
        return List.of(stages);
    }

    public static final class Builder {
        private final List<Stage> exchangeStages = new ArrayList<>();
        private final List<Stage> attemptStages = new ArrayList<>();
        private Stage route;

        private Builder() {
        }

        /** Appends an exchange stage: runs once per call, before the route stage. */
        public Builder addStage(Stage stage) {
            exchangeStages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /**
         * Sets the route stage, the only one allowed to call {@code proceed} more than once, each time with an
         * exchange that carries an {@link dev.smartflow.core.exchange.Attempt}.
         *
         * @throws IllegalStateException if a route stage was already set
         */
        public Builder route(Stage stage) {
            Objects.requireNonNull(stage, "stage");
            if (route != null) {
                throw new IllegalStateException("route stage was already set to " + route.getClass().getName());
            }
            route = stage;
            return this;
        }

        /** Appends an attempt stage: runs once per provider attempt, after the route stage. */
        public Builder addAttemptStage(Stage stage) {
            attemptStages.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** @throws IllegalStateException if attempt stages were added without a route stage to run them */
        public Pipeline build() {
            if (route == null && !attemptStages.isEmpty()) {
                throw new IllegalStateException("attempt stages need a route stage");
            }
            return new Pipeline(this);
        }
    }
}
