/**
 * In-memory implementations of the SPIs in {@link dev.smartflow.core.spi}, for one process and for tests:
 * {@link dev.smartflow.core.memory.InMemorySharedState}.
 */
package dev.smartflow.core.memory;
