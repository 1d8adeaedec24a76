package dev.smartflow.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.spi.Database;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyAssignment.Kind;
import dev.smartflow.core.spi.PolicyAssignment.Scope;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.core.spi.PolicySuggestion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Database} must show through its {@link PolicyStore} and {@link PolicyJobStore}. An
 * implementation's test extends it and says how to make a database that holds no policy records of earlier tests.
 *
 * <pre>{@code
 * class InMemoryPolicyStoreTest extends PolicyStoreContract {
 *     protected Database create() { return new InMemoryDatabase(); }
 * }
 * }</pre>
 *
 * <p>Times carry nanoseconds on purpose: records keep microseconds, and every implementation must truncate alike.
 */
public abstract class PolicyStoreContract {
    protected static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123456789Z");
    private static final int THREADS = 200;

    protected Database database;
    protected PolicyStore store;
    protected PolicyJobStore jobs;

    /** A new, open database that holds no policies, presets, assignments, counters or jobs. */
    protected abstract Database create();

    @BeforeEach
    void createDatabase() {
        database = create();
        store = database.policies();
        jobs = database.policyJobs();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    /** A policy with every field set to something other than its default. */
    protected static Policy fullPolicy(String id, Instant at) {
        return Policy.builder(id, "HIPAA PHI " + id, Policy.Type.COMPLIANCE,
                        "Do not include patient names, diagnoses or medical record numbers.\nNo PHI.", at)
                .description("Keeps protected health information out of prompts")
                .priority(90)
                .applicableProviders(List.of("openai", "anthropic"))
                .applicableModels(List.of("gpt-4o", "claude-*"))
                .regulatoryFramework(Optional.of("HIPAA"))
                .severity(Policy.Severity.CRITICAL)
                .action(Policy.Action.REDACT)
                .targeting(new Policy.Targeting(List.of("10.0.0.0/8", "2001:db8::1"), List.of("clinicians"),
                        List.of("clinical", "billing"), List.of("ehr")))
                .detectors(List.of("us_ssn", "email"))
                .active(false)
                .updatedAt(at.plusSeconds(5))
                .build();
    }

    protected static Policy plainPolicy(String id, Instant at) {
        return Policy.builder(id, "Brand " + id, Policy.Type.BRAND, "Use a friendly tone.", at).build();
    }

    // --- the database

    @Test
    void storesAreTheSameObjectOnEveryCall() {
        assertSame(database.policies(), database.policies());
        assertSame(database.policyJobs(), database.policyJobs());
    }

    @Test
    void everyCallFailsAfterClose() {
        database.close();

        assertThrows(IllegalStateException.class, () -> database.policies());
        assertThrows(IllegalStateException.class, () -> database.policyJobs());
        assertThrows(IllegalStateException.class, () -> store.policies());
        assertThrows(IllegalStateException.class, () -> store.createPolicy(plainPolicy("p", T0)));
        assertThrows(IllegalStateException.class, () -> store.addCounts(Map.of()));
        assertThrows(IllegalStateException.class, () -> store.counts());
        assertThrows(IllegalStateException.class, () -> jobs.list());
        assertThrows(IllegalStateException.class, () -> jobs.suggestions("j"));
    }

    // --- policies

    @Test
    void aPolicyReadsBackAsStoredToTheMicrosecond() {
        Policy full = fullPolicy("pol_full", T0);
        Policy plain = plainPolicy("pol_plain", T0);

        assertTrue(store.createPolicy(full));
        assertTrue(store.createPolicy(plain));

        assertEquals(Optional.of(full), store.policy("pol_full"));
        assertEquals(Optional.of(plain), store.policy("pol_plain"));
        assertEquals(T0.plusNanos(-789), store.policy("pol_full").orElseThrow().createdAt());
        assertEquals(Optional.empty(), store.policy("pol_none"));
    }

    @Test
    void policiesAreListedById() {
        for (String id : List.of("pol_b", "pol_A", "pol_a", "pol_a-b", "pol_ab")) {
            store.createPolicy(plainPolicy(id, T0));
        }

        assertEquals(List.of("pol_A", "pol_a", "pol_a-b", "pol_ab", "pol_b"),
                store.policies().stream().map(Policy::id).toList());
    }

    @Test
    void aTakenIdIsNotCreatedAgainAndNothingChanges() {
        Policy first = plainPolicy("pol_1", T0);
        store.createPolicy(first);

        assertFalse(store.createPolicy(fullPolicy("pol_1", T0.plusSeconds(9))));

        assertEquals(List.of(first), store.policies());
    }

    @Test
    void anUpdateReplacesThePolicyAndAnUnknownOneIsNotCreated() {
        store.createPolicy(plainPolicy("pol_1", T0));
        Policy changed = fullPolicy("pol_1", T0);

        assertTrue(store.updatePolicy(changed));
        assertFalse(store.updatePolicy(plainPolicy("pol_new", T0)));

        assertEquals(List.of(changed), store.policies());
    }

    @Test
    void aDeletedPolicyLeavesEveryPresetAndItsAssignmentsGo() {
        for (String id : List.of("pol_1", "pol_2", "pol_3")) {
            store.createPolicy(plainPolicy(id, T0));
        }
        store.createPreset(preset("pre_a", List.of("pol_3", "pol_2", "pol_1")));
        store.createPreset(preset("pre_b", List.of("pol_2")));
        PolicyAssignment direct = assignment("asg_1", Scope.TEAM, "billing", Kind.POLICY, "pol_2", T0);
        PolicyAssignment other = assignment("asg_2", Scope.TEAM, "billing", Kind.POLICY, "pol_1", T0);
        PolicyAssignment ofPreset = assignment("asg_3", Scope.GLOBAL, "", Kind.PRESET, "pre_b", T0);
        List.of(direct, other, ofPreset).forEach(store::addAssignment);

        assertTrue(store.deletePolicy("pol_2"));
        assertFalse(store.deletePolicy("pol_2"));

        assertEquals(List.of("pol_3", "pol_1"), store.preset("pre_a").orElseThrow().policyIds());
        assertEquals(List.of(), store.preset("pre_b").orElseThrow().policyIds());
        assertEquals(List.of(other, ofPreset), store.assignments());
        assertEquals(List.of("pol_1", "pol_3"), store.policies().stream().map(Policy::id).toList());
    }

    // --- presets

    @Test
    void aPresetKeepsItsPoliciesInOrder() {
        PolicyPreset preset = new PolicyPreset("pre_health", "Healthcare Standard", "For clinical staff",
                "Clinical AI assistant", List.of("pol_z", "pol_a", "pol_m"), T0, T0.plusSeconds(1));

        assertTrue(store.createPreset(preset));
        assertFalse(store.createPreset(preset("pre_health", List.of())));

        assertEquals(Optional.of(preset), store.preset("pre_health"));
        assertEquals(List.of(preset), store.presets());
        assertEquals(Optional.empty(), store.preset("pre_none"));
    }

    @Test
    void anUpdatedPresetTakesItsNewOrderAndAnUnknownOneIsNotCreated() {
        store.createPreset(preset("pre_1", List.of("pol_a", "pol_b", "pol_c")));
        PolicyPreset reordered = new PolicyPreset("pre_1", "Renamed", "d", "u", List.of("pol_c", "pol_a"), T0,
                T0.plusSeconds(3));

        assertTrue(store.updatePreset(reordered));
        assertFalse(store.updatePreset(preset("pre_2", List.of())));

        assertEquals(List.of(reordered), store.presets());
    }

    @Test
    void aDeletedPresetTakesItsAssignmentsWithIt() {
        store.createPreset(preset("pre_1", List.of()));
        store.createPreset(preset("pre_2", List.of()));
        PolicyAssignment kept = assignment("asg_2", Scope.KEY, "key_1", Kind.PRESET, "pre_2", T0);
        store.addAssignment(assignment("asg_1", Scope.KEY, "key_1", Kind.PRESET, "pre_1", T0));
        store.addAssignment(kept);

        assertTrue(store.deletePreset("pre_1"));
        assertFalse(store.deletePreset("pre_1"));

        assertEquals(List.of(kept), store.assignments());
        assertEquals(List.of("pre_2"), store.presets().stream().map(PolicyPreset::id).toList());
    }

    // --- assignments

    @Test
    void assignmentsAreListedByCreationThenIdAndDeletedById() {
        PolicyAssignment later = assignment("asg_a", Scope.OWNER, "alice", Kind.POLICY, "pol_1", T0.plusSeconds(1));
        PolicyAssignment tieB = assignment("asg_b", Scope.ROLE, "nurse", Kind.PRESET, "pre_1", T0);
        PolicyAssignment tieA = assignment("asg_A", Scope.TAG, "env=prod", Kind.POLICY, "pol_1", T0);
        List.of(later, tieB, tieA).forEach(a -> assertTrue(store.addAssignment(a)));

        assertEquals(List.of(tieA, tieB, later), store.assignments());
        assertTrue(store.deleteAssignment("asg_b"));
        assertFalse(store.deleteAssignment("asg_b"));
        assertEquals(List.of(tieA, later), store.assignments());
    }

    @Test
    void theSameSubjectForTheSameCallersIsAssignedOnce() {
        PolicyAssignment first = assignment("asg_1", Scope.TEAM, "billing", Kind.PRESET, "pre_1", T0);

        assertTrue(store.addAssignment(first));
        assertFalse(store.addAssignment(assignment("asg_2", Scope.TEAM, "billing", Kind.PRESET, "pre_1", T0)));
        assertFalse(store.addAssignment(assignment("asg_1", Scope.GLOBAL, "", Kind.PRESET, "pre_9", T0)));
        assertTrue(store.addAssignment(assignment("asg_3", Scope.TEAM, "billing", Kind.POLICY, "pre_1", T0)));
        assertTrue(store.addAssignment(assignment("asg_4", Scope.ROLE, "billing", Kind.PRESET, "pre_1", T0)));

        assertEquals(List.of("asg_1", "asg_3", "asg_4"),
                store.assignments().stream().map(PolicyAssignment::id).toList());
    }

    @Test
    void concurrentAssignmentsOfTheSameSubjectStoreOne() throws Exception {
        List<Boolean> added = Concurrently.run(THREADS, i -> store.addAssignment(
                assignment("asg_" + i, Scope.KEY, "key_1", Kind.PRESET, "pre_1", T0)));

        assertEquals(1, added.stream().filter(b -> b).count());
        assertEquals(1, store.assignments().size());
    }

    // --- counters

    @Test
    void countsAddUpAcrossCalls() {
        store.addCounts(Map.of("applications", 3L, "violations", 1L));
        store.addCounts(Map.of("applications", 4L, "blocked", 0L));

        assertEquals(Map.of("applications", 7L, "violations", 1L, "blocked", 0L), store.counts());
    }

    @Test
    void aNegativeCountIsRefusedAndNothingIsAdded() {
        store.addCounts(Map.of("applications", 2L));

        assertThrows(IllegalArgumentException.class, () -> store.addCounts(Map.of("applications", 5L,
                "violations", -1L)));

        assertEquals(Map.of("applications", 2L), store.counts());
    }

    @Test
    void concurrentCountsAreExact() throws Exception {
        Concurrently.run(THREADS, i -> {
            store.addCounts(Map.of("applications", 2L, "policy:" + (i % 3), 1L));
            return null;
        });

        Map<String, Long> counts = store.counts();
        assertEquals(2L * THREADS, counts.get("applications"));
        assertEquals(THREADS, counts.get("policy:0") + counts.get("policy:1") + counts.get("policy:2"));
    }

    // --- jobs

    @Test
    void aJobReadsBackAsStoredThroughItsLife() {
        PolicyJob pending = PolicyJob.pending("job_1", "handbook.pdf", "pdf", "gpt-4o", T0);
        assertTrue(jobs.create(pending));
        assertFalse(jobs.create(PolicyJob.pending("job_1", "other.txt", "txt", "gpt-4o", T0)));
        assertEquals(Optional.of(pending), jobs.get("job_1"));

        PolicyJob processing = pending.progressed(42, 12, 5, 2, true, T0.plusSeconds(3));
        assertTrue(jobs.update(processing));
        assertEquals(Optional.of(processing), jobs.get("job_1"));

        PolicyJob failed = processing.failed("the model's answer was not JSON", T0.plusSeconds(4));
        assertTrue(jobs.update(failed));
        assertEquals(Optional.of(failed), jobs.get("job_1"));

        assertFalse(jobs.update(PolicyJob.pending("job_none", "x.txt", "txt", "m", T0)));
        assertEquals(Optional.empty(), jobs.get("job_none"));
    }

    @Test
    void jobsAreListedNewestFirstAndUnfinishedOnesOldestFirst() {
        PolicyJob old = PolicyJob.pending("job_old", "a.txt", "txt", "m", T0);
        PolicyJob done = PolicyJob.pending("job_done", "b.txt", "txt", "m", T0.plusSeconds(1))
                .completed(T0.plusSeconds(2));
        PolicyJob running = PolicyJob.pending("job_new", "c.txt", "txt", "m", T0.plusSeconds(2))
                .progressed(10, 1, 0, 0, false, T0.plusSeconds(3));
        List.of(old, done, running).forEach(jobs::create);

        assertEquals(List.of(running, done, old), jobs.list());
        assertEquals(List.of(old, running), jobs.unfinished());
    }

    @Test
    void aLeaseIsHeldUntilItRunsOutOrIsReleased() {
        jobs.create(PolicyJob.pending("job_1", "a.txt", "txt", "m", T0));
        Instant until = T0.plusSeconds(60);

        assertTrue(jobs.lease("job_1", "instance-a", T0, until));
        assertFalse(jobs.lease("job_1", "instance-b", T0.plusSeconds(30), T0.plusSeconds(90)));
        assertTrue(jobs.lease("job_1", "instance-a", T0.plusSeconds(30), T0.plusSeconds(90)));
        assertFalse(jobs.lease("job_1", "instance-b", T0.plusSeconds(89), T0.plusSeconds(150)));
        assertTrue(jobs.lease("job_1", "instance-b", T0.plusSeconds(91), T0.plusSeconds(150)));

        jobs.release("job_1", "instance-a");
        assertFalse(jobs.lease("job_1", "instance-a", T0.plusSeconds(92), T0.plusSeconds(160)));
        jobs.release("job_1", "instance-b");
        assertTrue(jobs.lease("job_1", "instance-a", T0.plusSeconds(92), T0.plusSeconds(160)));
        assertFalse(jobs.lease("job_none", "instance-a", T0, until));
    }

    @Test
    void anUpdateKeepsTheLease() {
        PolicyJob job = PolicyJob.pending("job_1", "a.txt", "txt", "m", T0);
        jobs.create(job);
        jobs.lease("job_1", "instance-a", T0, T0.plusSeconds(60));

        jobs.update(job.progressed(5, 1, 0, 0, false, T0.plusSeconds(1)));

        assertFalse(jobs.lease("job_1", "instance-b", T0.plusSeconds(2), T0.plusSeconds(62)));
    }

    @Test
    void oneOfManyInstancesRacingForAnAbandonedJobWinsIt() throws Exception {
        jobs.create(PolicyJob.pending("job_1", "a.txt", "txt", "m", T0));
        jobs.lease("job_1", "crashed", T0, T0.plusSeconds(1));
        Instant now = T0.plusSeconds(10);

        List<Boolean> won = Concurrently.run(THREADS, i -> jobs.lease("job_1", "instance-" + i, now,
                now.plus(Duration.ofMinutes(1))));

        assertEquals(1, won.stream().filter(b -> b).count());
    }

    // --- suggestions

    @Test
    void suggestionsReadBackInPositionOrderAndAreReplacedById() {
        jobs.create(PolicyJob.pending("job_1", "a.pdf", "pdf", "m", T0));
        PolicySuggestion second = suggestion("job_1", "sugg_b", 1, Optional.empty());
        PolicySuggestion first = suggestion("job_1", "sugg_a", 0, Optional.of("HIPAA"));
        jobs.putSuggestion(second);
        jobs.putSuggestion(first);
        jobs.putSuggestion(suggestion("job_2", "sugg_c", 0, Optional.empty()));

        assertEquals(List.of(first, second), jobs.suggestions("job_1"));

        PolicySuggestion better = new PolicySuggestion("job_1", "sugg_b", 1, "Minimum necessary",
                Policy.Type.LEGAL, "Disclose the minimum necessary.", 70, Optional.of("HIPAA"), 0.97,
                Optional.empty());
        jobs.putSuggestion(better);
        assertEquals(List.of(first, better), jobs.suggestions("job_1"));
    }

    @Test
    void aSuggestionIsAcceptedOnce() {
        jobs.putSuggestion(suggestion("job_1", "sugg_a", 0, Optional.empty()));

        assertTrue(jobs.accept("job_1", "sugg_a", "pol_1"));
        assertFalse(jobs.accept("job_1", "sugg_a", "pol_2"));
        assertFalse(jobs.accept("job_1", "sugg_none", "pol_3"));

        assertEquals(Optional.of("pol_1"), jobs.suggestions("job_1").getFirst().acceptedPolicyId());
    }

    @Test
    void aDeletedJobTakesItsSuggestionsWithIt() {
        jobs.create(PolicyJob.pending("job_1", "a.pdf", "pdf", "m", T0));
        jobs.putSuggestion(suggestion("job_1", "sugg_a", 0, Optional.empty()));

        assertTrue(jobs.delete("job_1"));
        assertFalse(jobs.delete("job_1"));

        assertEquals(Optional.empty(), jobs.get("job_1"));
        assertEquals(List.of(), jobs.suggestions("job_1"));
    }

    protected static PolicyPreset preset(String id, List<String> policyIds) {
        return new PolicyPreset(id, "Preset " + id, "", "", policyIds, T0, T0);
    }

    protected static PolicyAssignment assignment(String id, Scope scope, String target, Kind kind, String subject,
                                                 Instant at) {
        return new PolicyAssignment(id, scope, target, kind, subject, at);
    }

    private static PolicySuggestion suggestion(String jobId, String id, int position, Optional<String> framework) {
        return new PolicySuggestion(jobId, id, position, "Suggestion " + id, Policy.Type.COMPLIANCE,
                "Limit disclosure of PHI to the minimum necessary.", 85, framework, 0.875, Optional.empty());
    }
}
