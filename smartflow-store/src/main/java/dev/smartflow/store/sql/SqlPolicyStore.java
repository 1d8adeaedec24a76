package dev.smartflow.store.sql;

import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicyStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;

/**
 * The {@link PolicyStore} of a {@link SqlDatabase}: tables {@code policies}, {@code policy_presets} with their ordered
 * {@code policy_preset_members}, {@code policy_assignments} and {@code policy_counters}. A create is an
 * {@code INSERT ... ON CONFLICT DO NOTHING} (false when the row exists); every cascade runs in one transaction.
 * Counters are added as the key store adds spend (see {@link SqlKeyStore}): update, else insert-if-absent, else update
 * again.
 */
final class SqlPolicyStore implements PolicyStore {
    private static final String POLICY_COLUMNS = "id, name, description, policy_type, content, priority, "
            + "applicable_providers, applicable_models, regulatory_framework, severity, action, targeting, detectors, "
            + "active, created_at_us, updated_at_us";
    private static final String SOURCE_IPS = "source_ips";
    private static final String AD_GROUPS = "ad_groups";
    private static final String DEPARTMENTS = "departments";
    private static final String APPLICATIONS = "applications";

    private final SqlDatabase database;
    private final String byId;
    private final String byCreation;

    SqlPolicyStore(SqlDatabase database, Dialect dialect) {
        this.database = database;
        this.byId = " ORDER BY " + dialect.binary("id");
        this.byCreation = " ORDER BY created_at_us, " + dialect.binary("id");
    }

    // --- policies

    @Override
    public boolean createPolicy(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return database.jdbi().withHandle(handle -> bindPolicy(handle.createUpdate("INSERT INTO policies ("
                + POLICY_COLUMNS + ") VALUES (:id, :name, :description, :type, :content, :priority, :providers, "
                + ":models, :framework, :severity, :action, :targeting, :detectors, :active, :created, :updated) "
                + "ON CONFLICT DO NOTHING"), policy).execute()) > 0;
    }

    @Override
    public boolean updatePolicy(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return database.jdbi().withHandle(handle -> bindPolicy(handle.createUpdate("UPDATE policies SET "
                + "name = :name, description = :description, policy_type = :type, content = :content, "
                + "priority = :priority, applicable_providers = :providers, applicable_models = :models, "
                + "regulatory_framework = :framework, severity = :severity, action = :action, targeting = :targeting, "
                + "detectors = :detectors, active = :active, created_at_us = :created, updated_at_us = :updated "
                + "WHERE id = :id"), policy).execute()) > 0;
    }

    private static Update bindPolicy(Update update, Policy policy) {
        return update.bind("id", policy.id())
                .bind("name", policy.name())
                .bind("description", policy.description())
                .bind("type", policy.type().name())
                .bind("content", policy.content())
                .bind("priority", policy.priority())
                .bind("providers", Columns.json(policy.applicableProviders()))
                .bind("models", Columns.json(policy.applicableModels()))
                .bind("framework", policy.regulatoryFramework().orElse(null))
                .bind("severity", policy.severity().name())
                .bind("action", policy.action().name())
                .bind("targeting", Columns.jsonLists(Map.of(SOURCE_IPS, policy.targeting().sourceIps(),
                        AD_GROUPS, policy.targeting().adGroups(), DEPARTMENTS, policy.targeting().departments(),
                        APPLICATIONS, policy.targeting().applications())))
                .bind("detectors", Columns.json(policy.detectors()))
                .bind("active", policy.active())
                .bind("created", Columns.micros(policy.createdAt()))
                .bind("updated", Columns.micros(policy.updatedAt()));
    }

    @Override
    public Optional<Policy> policy(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + POLICY_COLUMNS
                + " FROM policies WHERE id = :id").bind("id", id).map(SqlPolicyStore::policy).findOne());
    }

    @Override
    public List<Policy> policies() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT " + POLICY_COLUMNS + " FROM policies"
                + byId).map(SqlPolicyStore::policy).list());
    }

    @Override
    public boolean deletePolicy(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> {
            int deleted = handle.createUpdate("DELETE FROM policies WHERE id = :id").bind("id", id).execute();
            if (deleted == 0) {
                return false;
            }
            handle.createUpdate("DELETE FROM policy_preset_members WHERE policy_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM policy_assignments WHERE kind = 'POLICY' AND subject_id = :id")
                    .bind("id", id).execute();
            return true;
        });
    }

    private static Policy policy(ResultSet rs, StatementContext context) throws SQLException {
        Map<String, List<String>> targeting = Columns.stringLists(rs.getString("targeting"));
        return Policy.builder(rs.getString("id"), rs.getString("name"), Policy.Type.valueOf(rs.getString(
                                "policy_type")), rs.getString("content"),
                        Columns.instant(rs.getLong("created_at_us")))
                .description(rs.getString("description"))
                .priority(rs.getInt("priority"))
                .applicableProviders(Columns.stringList(rs.getString("applicable_providers")))
                .applicableModels(Columns.stringList(rs.getString("applicable_models")))
                .regulatoryFramework(Columns.optionalString(rs, "regulatory_framework"))
                .severity(Policy.Severity.valueOf(rs.getString("severity")))
                .action(Policy.Action.valueOf(rs.getString("action")))
                .targeting(new Policy.Targeting(targeting.getOrDefault(SOURCE_IPS, List.of()),
                        targeting.getOrDefault(AD_GROUPS, List.of()), targeting.getOrDefault(DEPARTMENTS, List.of()),
                        targeting.getOrDefault(APPLICATIONS, List.of())))
                .detectors(Columns.stringList(rs.getString("detectors")))
                .active(rs.getBoolean("active"))
                .updatedAt(Columns.instant(rs.getLong("updated_at_us")))
                .build();
    }

    // --- presets

    @Override
    public boolean createPreset(PolicyPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return database.jdbi().inTransaction(handle -> {
            int inserted = bindPreset(handle.createUpdate("INSERT INTO policy_presets (id, name, description, "
                    + "use_case, created_at_us, updated_at_us) VALUES (:id, :name, :description, :useCase, :created, "
                    + ":updated) ON CONFLICT DO NOTHING"), preset).execute();
            if (inserted > 0) {
                insertMembers(handle, preset);
            }
            return inserted > 0;
        });
    }

    @Override
    public boolean updatePreset(PolicyPreset preset) {
        Objects.requireNonNull(preset, "preset");
        return database.jdbi().inTransaction(handle -> {
            int updated = bindPreset(handle.createUpdate("UPDATE policy_presets SET name = :name, "
                    + "description = :description, use_case = :useCase, created_at_us = :created, "
                    + "updated_at_us = :updated WHERE id = :id"), preset).execute();
            if (updated > 0) {
                handle.createUpdate("DELETE FROM policy_preset_members WHERE preset_id = :id")
                        .bind("id", preset.id()).execute();
                insertMembers(handle, preset);
            }
            return updated > 0;
        });
    }

    private static Update bindPreset(Update update, PolicyPreset preset) {
        return update.bind("id", preset.id())
                .bind("name", preset.name())
                .bind("description", preset.description())
                .bind("useCase", preset.useCase())
                .bind("created", Columns.micros(preset.createdAt()))
                .bind("updated", Columns.micros(preset.updatedAt()));
    }

    private static void insertMembers(Handle handle, PolicyPreset preset) {
        for (int i = 0; i < preset.policyIds().size(); i++) {
            handle.createUpdate("INSERT INTO policy_preset_members (preset_id, position, policy_id) "
                            + "VALUES (:preset, :position, :policy)")
                    .bind("preset", preset.id()).bind("position", i).bind("policy", preset.policyIds().get(i))
                    .execute();
        }
    }

    @Override
    public Optional<PolicyPreset> preset(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> presets(handle, " WHERE id = :id", id).stream().findFirst());
    }

    @Override
    public List<PolicyPreset> presets() {
        return database.jdbi().inTransaction(handle -> presets(handle, "", null));
    }

    /** The presets the condition selects, each with its members; one transaction, so members match their preset. */
    private List<PolicyPreset> presets(Handle handle, String where, String id) {
        Query query = handle.createQuery("SELECT id, name, description, use_case, created_at_us, updated_at_us "
                + "FROM policy_presets" + where + byId);
        Query memberQuery = handle.createQuery("SELECT preset_id, policy_id FROM policy_preset_members"
                + (id == null ? "" : " WHERE preset_id = :id") + " ORDER BY position");
        if (id != null) {
            query.bind("id", id);
            memberQuery.bind("id", id);
        }
        Map<String, List<String>> members = new HashMap<>();
        memberQuery.map((rs, ctx) -> Map.entry(rs.getString("preset_id"), rs.getString("policy_id")))
                .forEach(entry -> members.computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                        .add(entry.getValue()));
        Map<String, PolicyPreset> presets = new LinkedHashMap<>();
        query.map((rs, ctx) -> new PolicyPreset(rs.getString("id"), rs.getString("name"), rs.getString("description"),
                        rs.getString("use_case"), members.getOrDefault(rs.getString("id"), List.of()),
                        Columns.instant(rs.getLong("created_at_us")), Columns.instant(rs.getLong("updated_at_us"))))
                .forEach(preset -> presets.put(preset.id(), preset));
        return List.copyOf(presets.values());
    }

    @Override
    public boolean deletePreset(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().inTransaction(handle -> {
            int deleted = handle.createUpdate("DELETE FROM policy_presets WHERE id = :id").bind("id", id).execute();
            if (deleted == 0) {
                return false;
            }
            handle.createUpdate("DELETE FROM policy_preset_members WHERE preset_id = :id").bind("id", id).execute();
            handle.createUpdate("DELETE FROM policy_assignments WHERE kind = 'PRESET' AND subject_id = :id")
                    .bind("id", id).execute();
            return true;
        });
    }

    // --- assignments

    @Override
    public boolean addAssignment(PolicyAssignment assignment) {
        Objects.requireNonNull(assignment, "assignment");
        try {
            return database.jdbi().withHandle(handle -> handle.createUpdate("INSERT INTO policy_assignments (id, "
                            + "scope, target, kind, subject_id, created_at_us) VALUES (:id, :scope, :target, :kind, "
                            + ":subject, :created) ON CONFLICT DO NOTHING")
                    .bind("id", assignment.id())
                    .bind("scope", assignment.scope().name())
                    .bind("target", assignment.target())
                    .bind("kind", assignment.kind().name())
                    .bind("subject", assignment.subjectId())
                    .bind("created", Columns.micros(assignment.createdAt()))
                    .execute()) > 0;
        } catch (JdbiException e) {
            if (Columns.uniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public List<PolicyAssignment> assignments() {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT id, scope, target, kind, subject_id, "
                        + "created_at_us FROM policy_assignments" + byCreation)
                .map((rs, ctx) -> new PolicyAssignment(rs.getString("id"),
                        PolicyAssignment.Scope.valueOf(rs.getString("scope")), rs.getString("target"),
                        PolicyAssignment.Kind.valueOf(rs.getString("kind")), rs.getString("subject_id"),
                        Columns.instant(rs.getLong("created_at_us"))))
                .list());
    }

    @Override
    public boolean deleteAssignment(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(handle -> handle.createUpdate("DELETE FROM policy_assignments WHERE id = :id")
                .bind("id", id).execute()) > 0;
    }

    // --- counters

    @Override
    public void addCounts(Map<String, Long> deltas) {
        deltas.forEach((name, delta) -> {
            Objects.requireNonNull(name, "name");
            if (delta < 0) {
                throw new IllegalArgumentException("a count only grows: " + name + " by " + delta);
            }
        });
        if (deltas.isEmpty()) {
            database.requireOpen();
            return;
        }
        // sorted, so two instances adding the same counters lock their rows in the same order (no deadlock)
        List<String> names = deltas.keySet().stream().sorted().toList();
        database.jdbi().useTransaction(handle -> {
            for (String name : names) {
                long delta = deltas.get(name);
                if (addTo(handle, name, delta) == 0 && handle.createUpdate("INSERT INTO policy_counters (name, total) "
                        + "VALUES (:name, :delta) ON CONFLICT DO NOTHING")
                        .bind("name", name).bind("delta", delta).execute() == 0) {
                    addTo(handle, name, delta);
                }
            }
        });
    }

    private static int addTo(Handle handle, String name, long delta) {
        return handle.createUpdate("UPDATE policy_counters SET total = total + :delta WHERE name = :name")
                .bind("name", name).bind("delta", delta).execute();
    }

    @Override
    public Map<String, Long> counts() {
        Map<String, Long> counts = new HashMap<>();
        database.jdbi().useHandle(handle -> handle.createQuery("SELECT name, total FROM policy_counters")
                .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getLong("total")))
                .forEach(entry -> counts.put(entry.getKey(), entry.getValue())));
        return Map.copyOf(counts);
    }
}
