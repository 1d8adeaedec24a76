package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable records of the MCP gateway: registered upstream servers, which virtual keys may use which of their
 * tools (grants, and the access requests that lead to them), every tool invocation, and per-user OAuth tokens. The
 * store knows nothing of MCP itself: a server's definition is the JSON its API takes, and its secrets and tokens are
 * sealed (encrypted) by the gateway before they get here, so the store holds them as opaque text.
 *
 * <pre>{@code
 * McpStore mcp = database.mcp();
 * mcp.putServer(new McpStore.Server("github-tools", definitionJson, sealedSecrets, clock.instant()));
 * mcp.grant(new McpStore.Grant(KeyId.of("key_1"), "github-tools", McpStore.EVERY_TOOL, clock.instant()));
 * mcp.log(List.of(call));
 * }</pre>
 *
 * <p><b>Contract.</b> Thread-safe; every call is atomic (deciding an access request and granting what it asked for
 * are one change). Records read back equal the records stored, times kept to the microsecond. Lists come in a stable
 * order: servers by id, grants by key, server and tool, requests and calls newest first (ties by id, descending),
 * usage by server and tool. Ids compare as Java strings do. After the database is closed every call fails with
 * {@link IllegalStateException}.
 */
public interface McpStore {
    /** The tool name of a grant or request that covers every tool of the server. */
    String EVERY_TOOL = "*";

    // --- servers

    /** Stores {@code server}, replacing the server of the same id; true when no server had that id. */
    boolean putServer(Server server);

    Optional<Server> server(String id);

    /** Every server, by id. */
    List<Server> servers();

    /** Removes the server, its grants and its users' tokens (requests and calls stay, as history); true if it was. */
    boolean deleteServer(String id);

    // --- grants

    /** Lets a key use a server's tool (or every tool); true when the grant is new, false when it existed. */
    boolean grant(Grant grant);

    /** Takes a grant back; true when it existed. */
    boolean revoke(KeyId key, String serverId, String tool);

    /** Every grant, by key, server and tool. */
    List<Grant> grants();

    // --- access requests

    /** Files a new request; false (and nothing changes) when a request of that id exists. */
    boolean requestAccess(AccessRequest request);

    Optional<AccessRequest> accessRequest(String id);

    /** Requests, newest first, only {@code key}'s and only of {@code status} when given. */
    List<AccessRequest> accessRequests(Optional<KeyId> key, Optional<Status> status);

    /**
     * Decides a pending request: approving grants what it asked for, in the same change. Empty when the request is
     * unknown or already decided (nothing changes then).
     */
    Optional<AccessRequest> decide(String id, boolean approve, Instant at, Optional<String> note);

    // --- invocations

    /** Appends calls; a call whose id is already logged is skipped. How many were added. */
    int log(List<Call> calls);

    /** The newest calls matching the query. */
    List<Call> calls(CallQuery query);

    /** Calls, errors and cost per server and tool, only {@code key}'s and only since {@code since} when given. */
    List<Usage> usage(Optional<KeyId> key, Optional<Instant> since);

    // --- per-user OAuth tokens

    /** Stores a user's token for a server, replacing one stored before. */
    void putToken(Token token);

    Optional<Token> token(String serverId, String subject);

    /** Forgets a user's token; true when there was one. */
    boolean deleteToken(String serverId, String subject);

    /**
     * A registered upstream server.
     *
     * @param id         the server's id, as its MCP path and tool prefix use it
     * @param definition the server's public fields as JSON text (what the registry API answers)
     * @param secrets    the server's credentials, sealed by the gateway; empty text when it has none
     * @param updatedAt  when it was last stored
     */
    record Server(String id, String definition, String secrets, Instant updatedAt) {
        public Server {
            requireText(id, "id");
            Objects.requireNonNull(definition, "definition");
            Objects.requireNonNull(secrets, "secrets");
            updatedAt = micros(updatedAt, "updatedAt");
        }

        /** Names the server only: its secrets never reach a log. */
        @Override
        public String toString() {
            return "Server[" + id + "]";
        }
    }

    /**
     * Permission for a key to use a server's tool.
     *
     * @param tool a tool's name, or {@link #EVERY_TOOL}
     */
    record Grant(KeyId key, String serverId, String tool, Instant grantedAt) {
        public Grant {
            Objects.requireNonNull(key, "key");
            requireText(serverId, "serverId");
            requireText(tool, "tool");
            grantedAt = micros(grantedAt, "grantedAt");
        }
    }

    /** Where an access request stands. */
    enum Status {
        PENDING, APPROVED, DENIED
    }

    /**
     * A key holder's request to use a server's tool (or every tool), and its decision.
     *
     * @param tool a tool's name, or {@link #EVERY_TOOL}
     */
    record AccessRequest(String id, KeyId key, String serverId, String tool, String reason, Status status,
                         Instant createdAt, Optional<Instant> decidedAt, Optional<String> note) {
        public AccessRequest {
            requireText(id, "id");
            Objects.requireNonNull(key, "key");
            requireText(serverId, "serverId");
            requireText(tool, "tool");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(status, "status");
            createdAt = micros(createdAt, "createdAt");
            decidedAt = Objects.requireNonNull(decidedAt, "decidedAt").map(t -> t.truncatedTo(ChronoUnit.MICROS));
            Objects.requireNonNull(note, "note");
            if (decidedAt.isPresent() == (status == Status.PENDING)) {
                throw new IllegalArgumentException("a request has a decision time exactly when it is decided");
            }
        }

        /** A new, pending request. */
        public static AccessRequest pending(String id, KeyId key, String serverId, String tool, String reason,
                                            Instant at) {
            return new AccessRequest(id, key, serverId, tool, reason, Status.PENDING, at, Optional.empty(),
                    Optional.empty());
        }

        /** This request, decided. */
        public AccessRequest decided(boolean approve, Instant at, Optional<String> decisionNote) {
            return new AccessRequest(id, key, serverId, tool, reason, approve ? Status.APPROVED : Status.DENIED,
                    createdAt, Optional.of(at), decisionNote);
        }
    }

    /**
     * One MCP request the gateway served or refused. Text that came from a caller (a tool's name) is made storable
     * as an audit record's is ({@link AuditRecord}): any store keeps it alike.
     *
     * @param id            the gateway's request id; unique in the log
     * @param traceId       the W3C trace the call belonged to
     * @param key           the virtual key that called; empty for the master key
     * @param tenant        whose call it was ({@code dev.smartflow.core.exchange.Principal#tenant()})
     * @param serverId      the upstream server
     * @param tool          the tool, prompt or resource the call named; empty text when none
     * @param method        the JSON-RPC method, e.g. {@code tools/call}
     * @param status        how it ended, as an HTTP status: 200 served, 403 refused by policy, 429 over budget, 502
     *                      upstream failure, ...
     * @param error         the error code when it failed, or {@code tool_error} when the tool reported an error
     * @param costMicros    what it cost, in micro-USD
     * @param latencyMicros how long it took
     */
    record Call(String id, String traceId, Instant at, Optional<KeyId> key, String tenant, String serverId,
                String tool, String method, int status, Optional<String> error, long costMicros,
                long latencyMicros) {
        public Call {
            id = AuditRecord.storable(Optional.of(requireText(id, "id"))).orElseThrow();
            traceId = AuditRecord.storable(Optional.of(Objects.requireNonNull(traceId, "traceId"))).orElseThrow();
            at = micros(at, "at");
            key = AuditRecord.storableKey(Objects.requireNonNull(key, "key"));
            tenant = AuditRecord.storable(Optional.of(requireText(tenant, "tenant"))).orElseThrow();
            serverId = AuditRecord.storable(Optional.of(requireText(serverId, "serverId"))).orElseThrow();
            tool = AuditRecord.storable(Optional.of(Objects.requireNonNull(tool, "tool"))).orElseThrow();
            method = AuditRecord.storable(Optional.of(requireText(method, "method"))).orElseThrow();
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status is not an HTTP status: " + status);
            }
            error = AuditRecord.storable(Objects.requireNonNull(error, "error"));
            if (costMicros < 0 || latencyMicros < 0) {
                throw new IllegalArgumentException("cost and latency are not negative");
            }
        }

        /** Whether the call failed or the tool reported an error. */
        public boolean failed() {
            return error.isPresent();
        }
    }

    /**
     * Which calls {@link #calls} returns: the newest {@code limit} matching every filter present.
     *
     * @param limit 1..{@value AuditQuery#MAX_LIMIT}
     */
    record CallQuery(int limit, Optional<KeyId> key, Optional<String> serverId, Optional<Instant> since) {
        public CallQuery {
            if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
                throw new IllegalArgumentException("limit is not within 1.." + AuditQuery.MAX_LIMIT + ": " + limit);
            }
            key = AuditRecord.storableKey(Objects.requireNonNull(key, "key"));
            serverId = AuditRecord.storable(Objects.requireNonNull(serverId, "serverId"));
            since = Objects.requireNonNull(since, "since").map(t -> t.truncatedTo(ChronoUnit.MICROS));
        }

        public static CallQuery latest(int limit) {
            return new CallQuery(limit, Optional.empty(), Optional.empty(), Optional.empty());
        }

        public CallQuery withKey(KeyId value) {
            return new CallQuery(limit, Optional.of(value), serverId, since);
        }

        public CallQuery withServer(String value) {
            return new CallQuery(limit, key, Optional.of(value), since);
        }

        public CallQuery since(Instant value) {
            return new CallQuery(limit, key, serverId, Optional.of(value));
        }

        /** Whether {@code call} passes the filters (the limit aside). */
        public boolean matches(Call call) {
            return key.map(k -> call.key().equals(Optional.of(k))).orElse(true)
                    && serverId.map(call.serverId()::equals).orElse(true)
                    && since.map(t -> !call.at().isBefore(t)).orElse(true);
        }
    }

    /** What one server's tool was used for: calls, how many failed, and their cost in micro-USD. */
    record Usage(String serverId, String tool, long calls, long errors, long costMicros) {
        public Usage {
            Objects.requireNonNull(serverId, "serverId");
            Objects.requireNonNull(tool, "tool");
        }
    }

    /**
     * A user's OAuth token for a server.
     *
     * @param subject whose token: the key id of the user who authorised it
     * @param sealed  the token set (access, refresh, expiry), sealed by the gateway
     */
    record Token(String serverId, String subject, String sealed, Instant updatedAt) {
        public Token {
            requireText(serverId, "serverId");
            requireText(subject, "subject");
            Objects.requireNonNull(sealed, "sealed");
            updatedAt = micros(updatedAt, "updatedAt");
        }

        @Override
        public String toString() {
            return "Token[" + serverId + ", " + subject + "]";
        }
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }

    private static Instant micros(Instant value, String name) {
        return Objects.requireNonNull(value, name).truncatedTo(ChronoUnit.MICROS);
    }
}
