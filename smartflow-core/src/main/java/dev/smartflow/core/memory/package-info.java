/**
 * In-memory implementations of the SPIs in {@link dev.smartflow.core.spi}, for one process and for tests:
 * {@link dev.smartflow.core.memory.InMemorySharedState} and {@link dev.smartflow.core.memory.InMemoryDatabase} (with
 * its {@link dev.smartflow.core.memory.InMemoryKeyStore} and {@link dev.smartflow.core.memory.InMemoryAuditLog}).
 */
package dev.smartflow.core.memory;
