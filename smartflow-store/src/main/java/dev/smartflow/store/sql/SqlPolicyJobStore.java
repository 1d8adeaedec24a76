package dev.smartflow.store.sql;

import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicySuggestion;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;

/**
 * The {@link PolicyJobStore} of a {@link SqlDatabase}: tables {@code policy_jobs} (the lease in two columns of its
 * own, which {@link #update} leaves alone) and {@code policy_suggestions}. The lease is taken in one conditional
 * {@code UPDATE}, so two instances racing for an abandoned job cannot both win it.
 */
final class SqlPolicyJobStore implements PolicyJobStore {
    private static final String JOB_COLUMNS = "id, filename, format, model, status, progress_pct, error, pages, "
            + "chunks_total, chunks_done, truncated, created_at_us, updated_at_us";
    private static final String SUGGESTION_COLUMNS = "job_id, id, position, name, policy_type, content, priority, "
            + "regulatory_framework, confidence, accepted_policy_id";

    private final SqlDatabase database;
    private final String newestFirst;
    private final String oldestFirst;
    private final String byPosition;

    SqlPolicyJobStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.newestFirst = " ORDER BY created_at_us DESC, " + dialect.binary("id") + " DESC";
        this.oldestFirst = " ORDER BY created_at_us, " + dialect.binary("id");
        this.byPosition = " ORDER BY position, " + dialect.binary("id");
    }

    @Override
    public boolean create(PolicyJob job) {
        Objects.requireNonNull(job, "job");
        return database.jdbi().withHandle(handle -> bound(handle.createUpdate("INSERT INTO policy_jobs ("
                        + JOB_COLUMNS + ") VALUES (:id, :filename, :format, :model, :status, :progress, :error, "
                        + ":pages, :total, :done, :truncated, :created, :updated) ON CONFLICT DO NOTHING"), job)
                .execute()) > 0;
    }

    @Override
    public boolean update(PolicyJob job) {
        Objects.requireNonNull(job, "job");
        return database.jdbi().withHandle(handle -> bound(handle.createUpdate("UPDATE policy_jobs SET "
                        + "filename = :filename, format = :format, model = :model, status = :status, "
                        + "progress_pct = :progress, error = :error, pages = :pages, chunks_total = :total, "
                        + "chunks_done = :done, truncated = :truncated, created_at_us = :created, "
                        + "updated_at_us = :updated WHERE id = :id"), job)
                .execute()) > 0;
    }

    /** Binds every column of {@code job}, under the names {@code create} and {@code update} use. */
    private static Update bound(Update update, PolicyJob job) {
        return update.bind("id", job.id())
                .bind("filename", job.filename())
                .bind("format", job.format())
                .bind("model", job.model())
                .bind("status", job.status().name())
                .bind("progress", job.progressPct())
                .bind("error", job.error().orElse(null))
                .bind("pages", job.pages())
                .bind("total", job.chunksTotal())
                .bind("done", job.chunksDone())
                .bind("truncated", job.truncated())
                .bind("created", Columns.micros(job.createdAt()))
                .bind("updated", Columns.micros(job.updatedAt()));
    }

    @Override
    public Optional<PolicyJob> get(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + JOB_COLUMNS
                + " FROM policy_jobs WHERE id = :id").bind("id", id).map(SqlPolicyJobStore::job).findOne());
    }

    @Override
    public List<PolicyJob> list() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + JOB_COLUMNS + " FROM policy_jobs"
                + newestFirst).map(SqlPolicyJobStore::job).list());
    }

    @Override
    public List<PolicyJob> unfinished() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + JOB_COLUMNS + " FROM policy_jobs "
                + "WHERE status IN ('PENDING', 'PROCESSING')" + oldestFirst).map(SqlPolicyJobStore::job).list());
    }

    @Override
    public boolean lease(String id, String owner, Instant now, Instant until) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(until, "until");
        return database.jdbi().withHandle(handle -> handle.createUpdate("UPDATE policy_jobs SET "
                        + "lease_owner = :owner, lease_until_us = :until WHERE id = :id AND (lease_owner IS NULL "
                        + "OR lease_owner = :owner OR lease_until_us < :now)")
                .bind("id", id)
                .bind("owner", owner)
                .bind("until", Columns.micros(until))
                .bind("now", Columns.micros(now))
                .execute()) > 0;
    }

    @Override
    public void release(String id, String owner) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        database.jdbi().useHandle(handle -> handle.createUpdate("UPDATE policy_jobs SET lease_owner = NULL, "
                + "lease_until_us = NULL WHERE id = :id AND lease_owner = :owner")
                .bind("id", id).bind("owner", owner).execute());
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> {
            handle.createUpdate("DELETE FROM policy_suggestions WHERE job_id = :id").bind("id", id).execute();
            return handle.createUpdate("DELETE FROM policy_jobs WHERE id = :id").bind("id", id).execute() > 0;
        });
    }

    private static PolicyJob job(ResultSet rs, StatementContext context) throws SQLException {
        return new PolicyJob(rs.getString("id"), rs.getString("filename"), rs.getString("format"),
                rs.getString("model"), PolicyJob.Status.valueOf(rs.getString("status")), rs.getInt("progress_pct"),
                Columns.optionalString(rs, "error"), rs.getInt("pages"), rs.getInt("chunks_total"),
                rs.getInt("chunks_done"), rs.getBoolean("truncated"), Columns.instant(rs.getLong("created_at_us")),
                Columns.instant(rs.getLong("updated_at_us")));
    }

    // --- suggestions

    @Override
    public void putSuggestion(PolicySuggestion suggestion) {
        Objects.requireNonNull(suggestion, "suggestion");
        String update = "UPDATE policy_suggestions SET position = :position, name = :name, policy_type = :type, "
                + "content = :content, priority = :priority, regulatory_framework = :framework, "
                + "confidence = :confidence, accepted_policy_id = :accepted WHERE job_id = :job AND id = :id";
        String insert = "INSERT INTO policy_suggestions (" + SUGGESTION_COLUMNS + ") VALUES (:job, :id, :position, "
                + ":name, :type, :content, :priority, :framework, :confidence, :accepted) ON CONFLICT DO NOTHING";
        // update, else insert-if-absent, else update the row a concurrent insert just made (see SqlKeyStore)
        database.jdbi().useTransaction(handle -> {
            if (writeSuggestion(handle, suggestion, update) == 0 && writeSuggestion(handle, suggestion, insert) == 0) {
                writeSuggestion(handle, suggestion, update);
            }
        });
    }

    private static int writeSuggestion(Handle handle, PolicySuggestion suggestion, String sql) {
        return handle.createUpdate(sql)
                .bind("job", suggestion.jobId())
                .bind("id", suggestion.id())
                .bind("position", suggestion.position())
                .bind("name", suggestion.name())
                .bind("type", suggestion.type().name())
                .bind("content", suggestion.content())
                .bind("priority", suggestion.priority())
                .bind("framework", suggestion.regulatoryFramework().orElse(null))
                .bind("confidence", suggestion.confidence())
                .bind("accepted", suggestion.acceptedPolicyId().orElse(null))
                .execute();
    }

    @Override
    public List<PolicySuggestion> suggestions(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + SUGGESTION_COLUMNS
                        + " FROM policy_suggestions WHERE job_id = :job" + byPosition)
                .bind("job", jobId)
                .map(SqlPolicyJobStore::suggestion)
                .list());
    }

    @Override
    public boolean accept(String jobId, String suggestionId, String policyId) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(suggestionId, "suggestionId");
        Objects.requireNonNull(policyId, "policyId");
        return database.jdbi().withHandle(handle -> handle.createUpdate("UPDATE policy_suggestions SET "
                        + "accepted_policy_id = :policy WHERE job_id = :job AND id = :id "
                        + "AND accepted_policy_id IS NULL")
                .bind("job", jobId).bind("id", suggestionId).bind("policy", policyId).execute()) > 0;
    }

    private static PolicySuggestion suggestion(ResultSet rs, StatementContext context) throws SQLException {
        return new PolicySuggestion(rs.getString("job_id"), rs.getString("id"), rs.getInt("position"),
                rs.getString("name"), Policy.Type.valueOf(rs.getString("policy_type")), rs.getString("content"),
                rs.getInt("priority"), Columns.optionalString(rs, "regulatory_framework"), rs.getDouble("confidence"),
                Columns.optionalString(rs, "accepted_policy_id"));
    }
}
