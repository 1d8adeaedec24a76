/**
 * Prometheus metrics: {@link dev.smartflow.core.metrics.Metrics} counts every call from its audit record (and each
 * key's spend from the budget hook) into a registry of the official Prometheus Java client, ready to scrape.
 */
package dev.smartflow.core.metrics;
