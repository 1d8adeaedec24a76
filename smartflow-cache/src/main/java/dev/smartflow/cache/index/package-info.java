/**
 * Vector indexes behind {@link dev.smartflow.core.spi.VectorIndex}: {@link dev.smartflow.cache.index.FlatVectorIndex},
 * exact cosine search in process memory, and {@link dev.smartflow.cache.index.SharedVectorIndex}, which keeps one in
 * step across gateway instances through the shared state (Redis).
 */
package dev.smartflow.cache.index;
