package dev.smartflow.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Cancellation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * An upstream the gateway runs itself: a command speaking MCP as newline-delimited JSON-RPC on its stdin and stdout.
 *
 * <p><b>Processes.</b> A legacy server (2025-03-26 to 2025-11-25) keeps a session per process, so each owner (a
 * client session, or a caller of the stateless revision) gets a process of its own: one client's state never reaches
 * another. A modern (2026-07-28) server is stateless by its revision, so all owners share one process. At most
 * {@code mcp.stdio.max_processes} run per server on an instance (the least recently used is stopped to make room), and
 * one unused for {@code mcp.stdio.idle_seconds} is stopped. A process runs with only the variables its registration
 * names (plus {@code PATH}, {@code HOME}, {@code LANG}), never the gateway's own environment and its keys.
 *
 * <p><b>Supervision.</b> A process that exits on its own fails the requests it had and is started again after a
 * backoff (1 s, doubling to 60 s; back to 1 s once a process lived a minute); meanwhile its owner's calls fail fast.
 * Each line it writes to stderr goes to the log, prefixed with the server's id. A line on stdout that is not JSON,
 * or longer than the answer cap, ends the process.
 *
 * <p><b>Which revision.</b> A new process is probed with {@code server/discover}; a result naming 2026-07-28 makes it
 * modern, any error or silence (2 s) legacy, and then it is initialized offering 2025-11-25.
 *
 * <p>Thread-safe.
 */
final class StdioUpstream implements Upstream {
    private static final System.Logger LOG = System.getLogger(StdioUpstream.class.getName());
    private static final String SHARED = "shared";
    private static final Duration PROBE = Duration.ofSeconds(2);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final Duration HEALTHY_LIFE = Duration.ofMinutes(1);
    private static final int MAX_STDERR_LINE = 2000;

    private final String serverId;
    private final ServerDefinition.Stdio command;
    private final Map<String, String> env;
    private final int maxProcesses;
    private final Duration idle;
    private final long maxBytes;
    private final InstantSource clock;
    private final ScheduledExecutorService scheduler;
    private final Consumer<String> onNotification;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, Consumer<ObjectNode>> watches = new ConcurrentHashMap<>();
    private final ReentrantLock poolLock = new ReentrantLock();
    private volatile Optional<ServerFacts> facts = Optional.empty();
    private volatile boolean closed;

    StdioUpstream(String serverId, ServerDefinition.Stdio command, Map<String, String> env, int maxProcesses,
                  Duration idle, long maxBytes, InstantSource clock, ScheduledExecutorService scheduler,
                  Consumer<String> onNotification) {
        this.serverId = Objects.requireNonNull(serverId, "serverId");
        this.command = Objects.requireNonNull(command, "command");
        this.env = Map.copyOf(env);
        this.maxProcesses = maxProcesses;
        this.idle = Objects.requireNonNull(idle, "idle");
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.onNotification = Objects.requireNonNull(onNotification, "onNotification");
        scheduler.scheduleWithFixedDelay(this::reapIdle, 10, 10, TimeUnit.SECONDS);
    }

    @Override
    public ObjectNode request(UpstreamCall call) {
        Running process = slot(call).running();
        return process.request(call, withTrace(call));
    }

    @Override
    public ServerFacts facts(UpstreamCall call) {
        Optional<ServerFacts> known = facts;
        if (known.isPresent()) {
            return known.get();
        }
        return slot(call).running().facts;
    }

    private ObjectNode withTrace(UpstreamCall call) {
        ObjectNode params = call.params().deepCopy();
        ServerFacts known = facts.orElse(null);
        if (known != null && known.version().modern()) {
            ObjectNode meta = params.has("_meta") && params.get("_meta").isObject()
                    ? (ObjectNode) params.get("_meta") : params.putObject("_meta");
            meta.put("io.modelcontextprotocol/protocolVersion", ProtocolVersion.MODERN.id());
            meta.putObject("io.modelcontextprotocol/clientCapabilities");
            meta.set("io.modelcontextprotocol/clientInfo", HttpUpstream.CLIENT_INFO);
        }
        call.traceparent().ifPresent(trace -> {
            JsonNode meta = params.get("_meta");
            (meta instanceof ObjectNode object ? object : params.putObject("_meta")).put("traceparent", trace);
        });
        return params;
    }

    /** The owner's slot; a modern server has one slot for everyone. */
    private Slot slot(UpstreamCall call) {
        if (closed) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "' is being removed");
        }
        boolean shared = facts.map(f -> f.version().modern()).orElse(false);
        String owner = shared ? SHARED : call.owner();
        Slot slot = slots.get(owner);
        if (slot != null) {
            return slot;
        }
        poolLock.lock();
        try {
            slot = slots.get(owner);
            if (slot == null) {
                while (slots.size() >= maxProcesses) {
                    slots.values().stream().min(Comparator.comparing(s -> s.lastUsed)).ifPresent(oldest -> {
                        slots.remove(oldest.owner);
                        oldest.stop("the pool of " + maxProcesses + " processes is full");
                    });
                }
                slot = new Slot(owner);
                slots.put(owner, slot);
            }
            return slot;
        } finally {
            poolLock.unlock();
        }
    }

    /** The owner's process carries its resource updates on its output; not reaped as idle while watched. */
    @Override
    public void watch(UpstreamCall call, Consumer<ObjectNode> sink) {
        watches.put(call.owner(), sink);
    }

    @Override
    public void unwatch(String owner) {
        watches.remove(owner);
    }

    @Override
    public void release(String owner) {
        watches.remove(owner);
        Slot slot = slots.remove(owner);
        if (slot != null) {
            slot.stop("its client session ended");
        }
    }

    private void reapIdle() {
        Instant cutoff = clock.instant().minus(idle);
        for (Slot slot : List.copyOf(slots.values())) {
            if (slot.lastUsed.isBefore(cutoff) && !watches.containsKey(slot.owner)
                    && slots.remove(slot.owner, slot)) {
                slot.stop("idle for " + idle.toSeconds() + " s");
            }
        }
    }

    /** How many processes run now; for tests. */
    int processes() {
        return (int) slots.values().stream().filter(s -> s.current != null && s.current.alive()).count();
    }

    @Override
    public void close() {
        closed = true;
        for (Slot slot : List.copyOf(slots.values())) {
            slot.stop("the server was removed or the gateway stops");
        }
        slots.clear();
    }

    /** One owner's process over its lifetimes: started, restarted after a backoff, stopped. */
    private final class Slot {
        final String owner;
        final ReentrantLock lock = new ReentrantLock();
        volatile Instant lastUsed = clock.instant();
        volatile Running current;
        int failures;
        Instant startAfter = Instant.MIN;
        boolean stopped;

        Slot(String owner) {
            this.owner = owner;
        }

        Running running() {
            lastUsed = clock.instant();
            Running process = current;
            if (process != null && process.alive()) {
                return process;
            }
            lock.lock();
            try {
                process = current;
                if (process != null && process.alive()) {
                    return process;
                }
                if (stopped) {
                    throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "' was stopped");
                }
                Instant now = clock.instant();
                if (now.isBefore(startAfter)) {
                    throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "' exited and is "
                            + "restarted in " + Math.max(1, Duration.between(now, startAfter).toSeconds()) + " s")
                            .because("upstream_restarting");
                }
                current = start(this);
                return current;
            } finally {
                lock.unlock();
            }
        }

        /** The process exited on its own: restart it after the backoff. */
        void exited(Running process) {
            lock.lock();
            try {
                if (stopped || current != process) {
                    return;
                }
                Instant now = clock.instant();
                boolean lived = Duration.between(process.startedAt, now).compareTo(HEALTHY_LIFE) >= 0;
                failures = lived ? 1 : failures + 1;
                Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 6));
                if (backoff.compareTo(MAX_BACKOFF) > 0) {
                    backoff = MAX_BACKOFF;
                }
                startAfter = now.plus(backoff);
                LOG.log(System.Logger.Level.WARNING, "MCP server '" + serverId + "' (stdio) exited with "
                        + process.exitCode() + "; restarting in " + backoff.toMillis() + " ms");
                scheduler.schedule(this::restart, backoff.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
        }

        private void restart() {
            if (stopped || closed || slots.get(owner) != this) {
                return;
            }
            try {
                running();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "restarting MCP server '" + serverId + "' failed: "
                        + e.getMessage());
            }
        }

        void stop(String why) {
            lock.lock();
            try {
                stopped = true;
                if (current != null) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "stopping a process of MCP server '" + serverId + "': "
                            + why);
                    current.stop();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private Running start(Slot slot) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(command.command());
        commandLine.addAll(command.args());
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        command.cwd().ifPresent(cwd -> builder.directory(Path.of(cwd).toFile()));
        Map<String, String> environment = builder.environment();
        Map<String, String> inherited = new HashMap<>(environment);
        environment.clear();
        for (String name : List.of("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")) {
            if (inherited.containsKey(name)) {
                environment.put(name, inherited.get(name));
            }
        }
        environment.putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "': its command could not be "
                    + "started").because("upstream_unreachable");
        }
        Running running = new Running(slot, process);
        try {
            running.handshake();
        } catch (RuntimeException e) {
            running.stop();
            throw e;
        }
        return running;
    }

    /** One live process: its pending requests, its reader threads. */
    private final class Running {
        final Slot slot;
        final Process process;
        final Instant startedAt = clock.instant();
        final OutputStream stdin;
        final ReentrantLock writeLock = new ReentrantLock();
        final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
        /** The calls waiting, for the notifications the process sends about them. */
        final Map<String, UpstreamCall> listening = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong();
        volatile boolean stopping;
        ServerFacts facts;

        Running(Slot slot, Process process) {
            this.slot = slot;
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread.ofVirtual().name("mcp-stdio-out-" + serverId).start(this::readStdout);
            Thread.ofVirtual().name("mcp-stdio-err-" + serverId).start(this::readStderr);
        }

        boolean alive() {
            return process.isAlive() && !stopping;
        }

        String exitCode() {
            return process.isAlive() ? "(running)" : Integer.toString(process.exitValue());
        }

        void handshake() {
            ObjectNode meta = JsonRpc.NODES.objectNode()
                    .put("io.modelcontextprotocol/protocolVersion", ProtocolVersion.MODERN.id());
            meta.putObject("io.modelcontextprotocol/clientCapabilities");
            meta.set("io.modelcontextprotocol/clientInfo", HttpUpstream.CLIENT_INFO);
            ObjectNode discoverParams = JsonRpc.NODES.objectNode();
            discoverParams.set("_meta", meta);
            ObjectNode discovered = null;
            try {
                discovered = request("server/discover", discoverParams, PROBE, Optional.empty());
            } catch (RpcError e) {
                if (!alive()) {
                    throw e;
                }
            }
            JsonNode result = discovered == null ? null : discovered.get("result");
            boolean modern = false;
            if (result != null) {
                for (JsonNode version : result.path("supportedVersions")) {
                    modern |= version.asText().equals(ProtocolVersion.MODERN.id());
                }
            }
            if (modern) {
                facts = new ServerFacts(ProtocolVersion.MODERN, object(result.path("capabilities")),
                        object(result.path("_meta").path("io.modelcontextprotocol/serverInfo")),
                        result.path("instructions").isTextual() ? Optional.of(result.path("instructions").asText())
                                : Optional.empty());
            } else {
                ObjectNode params = JsonRpc.NODES.objectNode()
                        .put("protocolVersion", ProtocolVersion.LATEST_LEGACY.id());
                params.putObject("capabilities");
                params.set("clientInfo", HttpUpstream.CLIENT_INFO);
                ObjectNode answer = request("initialize", params, Duration.ofSeconds(30), Optional.empty());
                JsonNode initialized = answer.path("result");
                String agreed = initialized.path("protocolVersion").asText("");
                ProtocolVersion version = ProtocolVersion.parse(agreed).filter(v -> !v.modern()).orElseThrow(
                        () -> RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId
                                + "' did not initialize with a revision the gateway speaks"));
                facts = new ServerFacts(version, object(initialized.path("capabilities")),
                        object(initialized.path("serverInfo")), initialized.path("instructions").isTextual()
                        ? Optional.of(initialized.path("instructions").asText()) : Optional.empty());
                write(JsonRpc.notification("notifications/initialized", null));
            }
            StdioUpstream.this.facts = Optional.of(facts);
        }

        ObjectNode request(UpstreamCall call, ObjectNode params) {
            String id = "sf-" + ids.incrementAndGet();
            CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            if (call.listener().isPresent()) {
                listening.put(id, call);
            }
            return request(id, answer, call.method(), params, call.timeout(), call.cancellation());
        }

        ObjectNode request(String method, ObjectNode params, Duration timeout,
                           Optional<Cancellation> cancellation) {
            String id = "sf-" + ids.incrementAndGet();
            CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            return request(id, answer, method, params, timeout, cancellation);
        }

        private ObjectNode request(String id, CompletableFuture<ObjectNode> answer, String method, ObjectNode params,
                                   Duration timeout, Optional<Cancellation> cancellation) {
            Optional<Cancellation.Registration> watch = cancellation.map(c -> c.onCancel(() -> {
                write(JsonRpc.notification("notifications/cancelled",
                        JsonRpc.NODES.objectNode().put("requestId", id).put("reason", "the client went away")));
                answer.completeExceptionally(RpcError.of(RpcError.UPSTREAM_FAILED, "the client went away")
                        .because("client_closed"));
            }));
            try {
                write(JsonRpc.request(JsonRpc.NODES.textNode(id), method, params));
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw RpcError.of(RpcError.UPSTREAM_TIMEOUT, "MCP server '" + serverId + "' did not answer within "
                        + timeout.toSeconds() + " s").because("upstream_timeout");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RpcError error) {
                    throw error;
                }
                throw failed("its process failed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted");
            } finally {
                pending.remove(id);
                listening.remove(id);
                watch.ifPresent(Cancellation.Registration::close);
            }
        }

        void write(ObjectNode message) {
            byte[] line = (message.toString() + "\n").getBytes(StandardCharsets.UTF_8);
            writeLock.lock();
            try {
                stdin.write(line);
                stdin.flush();
            } catch (IOException e) {
                throw failed("its process no longer reads its input");
            } finally {
                writeLock.unlock();
            }
        }

        private void readStdout() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = readLine(reader)) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode message;
                    try {
                        message = Body.MAPPER.readTree(line);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "MCP server '" + serverId + "' wrote a line that is "
                                + "not JSON on stdout; stopping it");
                        break;
                    }
                    if (message instanceof ObjectNode object) {
                        dispatch(object);
                    }
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": stdout closed: " + e);
            }
            ended();
        }

        private String readLine(BufferedReader reader) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = reader.read()) != -1) {
                if (c == '\n') {
                    return line.toString();
                }
                if (line.length() >= maxBytes) {
                    throw new IOException("a line longer than " + maxBytes + " characters");
                }
                line.append((char) c);
            }
            return line.isEmpty() ? null : line.toString();
        }

        private void dispatch(ObjectNode message) {
            if (message.has("method")) {
                if (message.has("id")) {
                    write(JsonRpc.error(message.get("id"), RpcError.of(RpcError.METHOD_NOT_FOUND, "the Smartflow "
                            + "gateway does not offer client features (sampling, elicitation, roots) upstream")));
                } else {
                    String method = message.path("method").asText();
                    onNotification.accept(method);
                    Consumer<ObjectNode> sink = method.equals(HttpUpstream.RESOURCE_UPDATED)
                            ? watches.get(slot.owner) : null;
                    if (sink != null) {
                        sink.accept(message);
                    }
                    if (method.equals("notifications/progress")) {
                        String token = message.path("params").path("progressToken").asText();
                        listening.values().stream().filter(c -> c.progressToken().filter(token::equals).isPresent())
                                .forEach(c -> c.tell(message));
                    } else if (method.equals("notifications/message")) {
                        listening.values().forEach(c -> c.tell(message));
                    }
                }
                return;
            }
            CompletableFuture<ObjectNode> waiting = pending.get(message.path("id").asText());
            if (waiting != null && (message.has("result") || message.has("error"))) {
                waiting.complete(message);
            }
        }

        private void readStderr() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    String shown = line.length() > MAX_STDERR_LINE ? line.substring(0, MAX_STDERR_LINE) + "…" : line;
                    LOG.log(System.Logger.Level.INFO, "[mcp " + serverId + "] " + shown);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": stderr closed: " + e);
            }
        }

        /** stdout ended: the process is gone (or going); fail what waits, and let the slot restart it. */
        private void ended() {
            if (process.isAlive()) {
                process.destroy();
            }
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RpcError gone = failed("its process exited").because("upstream_exited");
            pending.values().forEach(answer -> answer.completeExceptionally(gone));
            if (!stopping) {
                slot.exited(this);
            }
        }

        void stop() {
            stopping = true;
            try {
                stdin.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> serverId + ": closing stdin: " + e);
            }
            process.destroy();
            scheduler.schedule(() -> {
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
            }, 5, TimeUnit.SECONDS);
        }
    }

    private RpcError failed(String message) {
        return RpcError.of(RpcError.UPSTREAM_FAILED, "MCP server '" + serverId + "': " + message)
                .because("upstream_failed");
    }

    private static ObjectNode object(JsonNode node) {
        return node instanceof ObjectNode object ? object.deepCopy() : JsonRpc.NODES.objectNode();
    }
}
