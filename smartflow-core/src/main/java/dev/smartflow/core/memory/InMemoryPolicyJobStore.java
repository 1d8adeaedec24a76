package dev.smartflow.core.memory;

import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicySuggestion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** The {@link PolicyJobStore} of an {@link InMemoryDatabase}: one lock guards jobs, leases and suggestions. */
final class InMemoryPolicyJobStore implements PolicyJobStore {
    private static final Comparator<PolicyJob> OLDEST_FIRST =
            Comparator.comparing(PolicyJob::createdAt).thenComparing(PolicyJob::id);
    private static final Comparator<PolicySuggestion> POSITION =
            Comparator.comparingInt(PolicySuggestion::position).thenComparing(PolicySuggestion::id);

    private final Guard guard;
    private final Map<String, PolicyJob> jobs = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Map<String, PolicySuggestion>> suggestions = new HashMap<>();

    InMemoryPolicyJobStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public boolean create(PolicyJob job) {
        Objects.requireNonNull(job, "job");
        return guard.locked(() -> jobs.putIfAbsent(job.id(), job) == null);
    }

    @Override
    public boolean update(PolicyJob job) {
        Objects.requireNonNull(job, "job");
        return guard.locked(() -> jobs.replace(job.id(), job) != null);
    }

    @Override
    public Optional<PolicyJob> get(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(jobs.get(id)));
    }

    @Override
    public List<PolicyJob> list() {
        return guard.locked(() -> jobs.values().stream().sorted(OLDEST_FIRST.reversed()).toList());
    }

    @Override
    public List<PolicyJob> unfinished() {
        return guard.locked(() -> jobs.values().stream().filter(job -> !job.finished()).sorted(OLDEST_FIRST).toList());
    }

    @Override
    public boolean lease(String id, String owner, Instant now, Instant until) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(until, "until");
        return guard.locked(() -> {
            if (!jobs.containsKey(id)) {
                return false;
            }
            Lease held = leases.get(id);
            if (held != null && !held.owner().equals(owner) && !held.until().isBefore(now)) {
                return false;
            }
            leases.put(id, new Lease(owner, until));
            return true;
        });
    }

    @Override
    public void release(String id, String owner) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        guard.locked(() -> {
            Lease held = leases.get(id);
            if (held != null && held.owner().equals(owner)) {
                leases.remove(id);
            }
            return null;
        });
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> {
            leases.remove(id);
            suggestions.remove(id);
            return jobs.remove(id) != null;
        });
    }

    @Override
    public void putSuggestion(PolicySuggestion suggestion) {
        Objects.requireNonNull(suggestion, "suggestion");
        guard.locked(() -> suggestions.computeIfAbsent(suggestion.jobId(), id -> new LinkedHashMap<>())
                .put(suggestion.id(), suggestion));
    }

    @Override
    public List<PolicySuggestion> suggestions(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        return guard.locked(() -> {
            List<PolicySuggestion> found = new ArrayList<>(suggestions.getOrDefault(jobId, Map.of()).values());
            found.sort(POSITION);
            return List.copyOf(found);
        });
    }

    @Override
    public boolean accept(String jobId, String suggestionId, String policyId) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(suggestionId, "suggestionId");
        Objects.requireNonNull(policyId, "policyId");
        return guard.locked(() -> {
            Map<String, PolicySuggestion> ofJob = suggestions.get(jobId);
            PolicySuggestion suggestion = ofJob == null ? null : ofJob.get(suggestionId);
            if (suggestion == null || suggestion.acceptedPolicyId().isPresent()) {
                return false;
            }
            ofJob.put(suggestionId, suggestion.accepted(policyId));
            return true;
        });
    }

    private record Lease(String owner, Instant until) {
    }
}
