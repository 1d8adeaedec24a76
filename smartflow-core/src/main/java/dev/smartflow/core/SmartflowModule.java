package dev.smartflow.core;

/**
 * A capability that plugs into the pipeline without changes to core: it adds its stages by {@link Slot}, its audit and
 * spend listeners, and what must be closed with the pipeline. The server shell adds routes and configuration on top
 * ({@code dev.smartflow.server.ServerModule}).
 *
 * <pre>{@code
 * final class CacheModule implements SmartflowModule {
 *     public void install(Smartflow.Builder pipeline) {
 *         pipeline.addStage(Slot.CACHE, new CacheStage(store)).closeWith(store);
 *     }
 * }
 * Smartflow smartflow = Smartflow.builder().resolver(registry).install(new CacheModule()).build();
 * }</pre>
 */
@FunctionalInterface
public interface SmartflowModule {
    /** Adds the module's stages and closeables to {@code pipeline}. */
    void install(Smartflow.Builder pipeline);
}
