/**
 * Core's {@link dev.smartflow.core.spi.Database} in SQL through JDBI: {@link dev.smartflow.store.sql.SqlDatabase} on
 * H2 (a file under the data directory) or PostgreSQL, with one set of migrations under {@code db/migration}.
 */
package dev.smartflow.store.sql;
