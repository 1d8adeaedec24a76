package dev.smartflow.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.PolicyAssignment.Kind;
import dev.smartflow.core.spi.PolicyAssignment.Scope;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.testkit.PolicyStoreContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy store contract on H2 in a file under a fresh data directory per test, and what survives a reopen. */
class SqlPolicyStoreH2Test extends PolicyStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected Database create() {
        return SqlDatabase.h2(dataDir);
    }

    @Test
    void theLibraryAndItsJobsSurviveClosingAndReopening() {
        store.createPolicy(fullPolicy("pol_1", T0));
        store.createPreset(preset("pre_1", List.of("pol_1")));
        store.addAssignment(assignment("asg_1", Scope.TEAM, "billing", Kind.PRESET, "pre_1", T0));
        store.addCounts(Map.of("applications", 5L));
        PolicyJob job = PolicyJob.pending("job_1", "a.pdf", "pdf", "gpt-4o", T0).progressed(30, 4, 2, 1, false, T0);
        jobs.create(job);
        database.close();

        try (Database reopened = SqlDatabase.h2(dataDir)) {
            assertEquals(Optional.of(fullPolicy("pol_1", T0)), reopened.policies().policy("pol_1"));
            assertEquals(List.of("pol_1"), reopened.policies().preset("pre_1").orElseThrow().policyIds());
            assertEquals(1, reopened.policies().assignments().size());
            assertEquals(Map.of("applications", 5L), reopened.policies().counts());
            assertEquals(List.of(job), reopened.policyJobs().unfinished());
        }
    }
}
