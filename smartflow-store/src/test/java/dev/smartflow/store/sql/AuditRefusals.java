package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.RejectedRecordException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the SQL audit log tells a record the database refuses (a data error: the writer sets the record aside) from an
 * outage (the writer retries): run by the H2 and the PostgreSQL suites, each on its own dialect.
 */
interface AuditRefusals {
    /** The database under test, empty. */
    SqlDatabase sql();

    private static AuditRecord record(String requestId, String user) {
        return AuditRecord.builder(requestId, Instant.parse("2026-11-01T10:00:00Z"), "/v1/chat/completions", "openai", "gpt-4o").userId(user).build();
    }

    /** A CHECK the record breaks is a rejection, and nothing of its batch is appended; the constraint is dropped. */
    @Test
    default void aRecordBreakingAConstraintIsRejectedAndNothingOfItsBatchIsAppended() {
        SqlDatabase database = sql();
        database.jdbi().useHandle(handle -> handle.execute("ALTER TABLE audit_log ADD CONSTRAINT refuse_poison "
                + "CHECK (user_id IS NULL OR user_id <> 'poison')"));
        try {
            List<AuditRecord> batch = List.of(record("good", "alice"), record("bad", "poison"));

            RejectedRecordException rejected = assertThrows(RejectedRecordException.class,
                    () -> database.audit().append(batch));

            // a check violation: 23513 on H2, 23514 on PostgreSQL
            assertTrue(rejected.getMessage().startsWith("the database refused the batch (SQLState 2351"),
                    rejected.getMessage());
            assertEquals(List.of(), database.audit().query(AuditQuery.latest(10)));
            assertEquals(1, database.audit().append(List.of(record("good", "alice"))));
        } finally {
            database.jdbi().useHandle(handle -> handle.execute("ALTER TABLE audit_log DROP CONSTRAINT refuse_poison"));
        }
    }

    /** A missing table is an outage (retried as it is), not a rejection; the table is put back. */
    @Test
    default void aMissingAuditTableIsAnOutageNotARejection() {
        SqlDatabase database = sql();
        database.jdbi().useHandle(handle -> handle.execute("ALTER TABLE audit_log RENAME TO audit_log_away"));
        try {
            RuntimeException failed = assertThrows(RuntimeException.class,
                    () -> database.audit().append(List.of(record("r1", "alice"))));

            assertFalse(failed instanceof RejectedRecordException, failed.toString());
        } finally {
            database.jdbi().useHandle(handle -> handle.execute("ALTER TABLE audit_log_away RENAME TO audit_log"));
        }
    }
}
