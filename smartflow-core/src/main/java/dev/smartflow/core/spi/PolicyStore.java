package dev.smartflow.core.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable policy library: policies, presets (ordered sets of policies), assignments of either to callers, and
 * the counters of how often policies were applied. Evaluation never reads it per call: the compliance module keeps a
 * snapshot, reloaded when the library changes.
 *
 * <pre>{@code
 * PolicyStore store = database.policies();
 * store.createPolicy(hipaa);
 * store.createPreset(new PolicyPreset("pre_health", "Healthcare", "", "", List.of(hipaa.id()), now, now));
 * store.addAssignment(new PolicyAssignment("asg_1", Scope.TEAM, "clinical", Kind.PRESET, "pre_health", now));
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic. A record read back equals the record stored. Lists come in
 * a stable order: policies and presets by id, assignments by creation time then id. The store does not check
 * references (a preset naming an unknown policy is stored as it is), but deletions cascade: a deleted policy leaves
 * every preset and its assignments go; a deleted preset's assignments go. After the database is closed every call fails
 * with {@link IllegalStateException}.
 */
public interface PolicyStore {
    /** Stores a new policy; false (and nothing stored) when its id is taken. */
    boolean createPolicy(Policy policy);

    /** Replaces the policy of the same id; false (and nothing stored) when there is none. */
    boolean updatePolicy(Policy policy);

    Optional<Policy> policy(String id);

    /** Every policy, by id. */
    List<Policy> policies();

    /** Removes the policy, takes it out of every preset and removes its assignments; true when there was one. */
    boolean deletePolicy(String id);

    /** Stores a new preset; false (and nothing stored) when its id is taken. */
    boolean createPreset(PolicyPreset preset);

    /** Replaces the preset of the same id; false (and nothing stored) when there is none. */
    boolean updatePreset(PolicyPreset preset);

    Optional<PolicyPreset> preset(String id);

    /** Every preset, by id. */
    List<PolicyPreset> presets();

    /** Removes the preset and its assignments; true when there was one. */
    boolean deletePreset(String id);

    /**
     * Stores an assignment; false (and nothing stored) when its id is taken or an assignment of the same subject to
     * the same callers exists ({@link PolicyAssignment#sameAs}).
     */
    boolean addAssignment(PolicyAssignment assignment);

    /** Every assignment, by creation time then id. */
    List<PolicyAssignment> assignments();

    /** Removes the assignment; true when there was one. */
    boolean deleteAssignment(String id);

    /**
     * Adds each delta to its named counter (absent counts as 0), all at once. Instances add what they counted since
     * their last call, so the totals are the sum over every instance.
     *
     * @throws IllegalArgumentException when a delta is negative
     */
    void addCounts(Map<String, Long> deltas);

    /** Every counter's total. */
    Map<String, Long> counts();
}
