/**
 * Vector indexes behind {@link dev.smartflow.core.spi.VectorIndex}: {@link dev.smartflow.cache.index.FlatVectorIndex},
 * exact cosine search in process memory.
 */
package dev.smartflow.cache.index;
