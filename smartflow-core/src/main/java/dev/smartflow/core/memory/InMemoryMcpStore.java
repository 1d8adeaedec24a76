package dev.smartflow.core.memory;

import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.McpStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link McpStore} of an {@link InMemoryDatabase}: one lock guards every map, so each call (a decision and its
 * grant included) is atomic. The reference the SQL store is checked against.
 */
final class InMemoryMcpStore implements McpStore {
    private static final Comparator<Grant> GRANT_ORDER = Comparator.comparing((Grant g) -> g.key().value())
            .thenComparing(Grant::serverId).thenComparing(Grant::tool);
    private static final Comparator<AccessRequest> REQUESTS_NEWEST_FIRST = Comparator
            .comparing(AccessRequest::createdAt).thenComparing(AccessRequest::id).reversed();
    private static final Comparator<Call> CALLS_NEWEST_FIRST = Comparator.comparing(Call::at)
            .thenComparing(Call::id).reversed();

    private final Guard guard;
    private final TreeMap<String, Server> servers = new TreeMap<>();
    private final Map<String, Grant> grants = new HashMap<>();
    private final Map<String, AccessRequest> requests = new HashMap<>();
    private final Map<String, Call> calls = new HashMap<>();
    private final Map<String, Token> tokens = new HashMap<>();

    InMemoryMcpStore(AtomicBoolean closed) {
        this.guard = new Guard(closed);
    }

    @Override
    public boolean putServer(Server server) {
        Objects.requireNonNull(server, "server");
        return guard.locked(() -> servers.put(server.id(), server) == null);
    }

    @Override
    public Optional<Server> server(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(servers.get(id)));
    }

    @Override
    public List<Server> servers() {
        return guard.locked(() -> List.copyOf(servers.values()));
    }

    @Override
    public boolean deleteServer(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> {
            grants.values().removeIf(g -> g.serverId().equals(id));
            tokens.values().removeIf(t -> t.serverId().equals(id));
            return servers.remove(id) != null;
        });
    }

    @Override
    public boolean grant(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        return guard.locked(
                () -> grants.putIfAbsent(grantKey(grant.key(), grant.serverId(), grant.tool()), grant) == null);
    }

    @Override
    public boolean revoke(KeyId key, String serverId, String tool) {
        return guard.locked(() -> grants.remove(grantKey(key, serverId, tool)) != null);
    }

    @Override
    public List<Grant> grants() {
        return guard.locked(() -> grants.values().stream().sorted(GRANT_ORDER).toList());
    }

    @Override
    public boolean requestAccess(AccessRequest request) {
        Objects.requireNonNull(request, "request");
        return guard.locked(() -> requests.putIfAbsent(request.id(), request) == null);
    }

    @Override
    public Optional<AccessRequest> accessRequest(String id) {
        Objects.requireNonNull(id, "id");
        return guard.locked(() -> Optional.ofNullable(requests.get(id)));
    }

    @Override
    public List<AccessRequest> accessRequests(Optional<KeyId> key, Optional<Status> status) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        return guard.locked(() -> requests.values().stream()
                .filter(r -> key.map(r.key()::equals).orElse(true))
                .filter(r -> status.map(s -> r.status() == s).orElse(true))
                .sorted(REQUESTS_NEWEST_FIRST).toList());
    }

    @Override
    public Optional<AccessRequest> decide(String id, boolean approve, Instant at, Optional<String> note) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(note, "note");
        return guard.locked(() -> {
            AccessRequest request = requests.get(id);
            if (request == null || request.status() != Status.PENDING) {
                return Optional.empty();
            }
            AccessRequest decided = request.decided(approve, at, note);
            requests.put(id, decided);
            if (approve) {
                Grant grant = new Grant(request.key(), request.serverId(), request.tool(), decided.decidedAt()
                        .orElseThrow());
                grants.putIfAbsent(grantKey(grant.key(), grant.serverId(), grant.tool()), grant);
            }
            return Optional.of(decided);
        });
    }

    @Override
    public int log(List<Call> batch) {
        List<Call> copied = List.copyOf(batch);
        return guard.locked(() -> {
            int added = 0;
            for (Call call : copied) {
                if (calls.putIfAbsent(call.id(), call) == null) {
                    added++;
                }
            }
            return added;
        });
    }

    @Override
    public List<Call> calls(CallQuery query) {
        Objects.requireNonNull(query, "query");
        return guard.locked(() -> calls.values().stream().filter(query::matches).sorted(CALLS_NEWEST_FIRST)
                .limit(query.limit()).toList());
    }

    @Override
    public List<Usage> usage(Optional<KeyId> key, Optional<Instant> since) {
        CallQuery filter = new CallQuery(1, key, Optional.empty(), since);
        return guard.locked(() -> {
            TreeMap<String, TreeMap<String, long[]>> totals = new TreeMap<>();
            for (Call call : calls.values()) {
                if (!filter.matches(call)) {
                    continue;
                }
                long[] sums = totals.computeIfAbsent(call.serverId(), s -> new TreeMap<>())
                        .computeIfAbsent(call.tool(), t -> new long[3]);
                sums[0]++;
                sums[1] += call.failed() ? 1 : 0;
                sums[2] = Math.addExact(sums[2], call.costMicros());
            }
            List<Usage> usage = new ArrayList<>();
            totals.forEach((server, tools) -> tools.forEach((tool, sums) ->
                    usage.add(new Usage(server, tool, sums[0], sums[1], sums[2]))));
            return List.copyOf(usage);
        });
    }

    @Override
    public void putToken(Token token) {
        Objects.requireNonNull(token, "token");
        guard.locked(() -> tokens.put(tokenKey(token.serverId(), token.subject()), token));
    }

    @Override
    public Optional<Token> token(String serverId, String subject) {
        return guard.locked(() -> Optional.ofNullable(tokens.get(tokenKey(serverId, subject))));
    }

    @Override
    public boolean deleteToken(String serverId, String subject) {
        return guard.locked(() -> tokens.remove(tokenKey(serverId, subject)) != null);
    }

    private static String grantKey(KeyId key, String serverId, String tool) {
        return Objects.requireNonNull(key, "key").value() + '\0' + Objects.requireNonNull(serverId, "serverId") + '\0'
                + Objects.requireNonNull(tool, "tool");
    }

    private static String tokenKey(String serverId, String subject) {
        return Objects.requireNonNull(serverId, "serverId") + '\0' + Objects.requireNonNull(subject, "subject");
    }
}
