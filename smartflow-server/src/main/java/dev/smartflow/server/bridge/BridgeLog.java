package dev.smartflow.server.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.audit.AuditListener;
import dev.smartflow.core.error.StateUnavailable;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.spi.AuditRecord;
import dev.smartflow.core.spi.SharedState;
import dev.smartflow.server.management.AuditJson;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The hybrid bridge's log: every instance publishes its audit records to the {@link SharedState}, and any instance
 * reads the records of all of them, merged by time, each marked with the instance that served it.
 *
 * <p>Layout, under {@code bridge:<cluster>:}: {@code instances}, a hash of instance id to the last time it published;
 * per instance, {@code log:<id>}, a hash used as a ring of {@code retention} slots (field = sequence number modulo
 * retention, value = the record as {@link AuditJson} describes it) and {@code seq:<id>}, the sequence counter. Each
 * write refreshes the TTL of all three, so an instance's records outlive its last publication by {@code ttl} and a
 * stopped instance disappears by itself. One instance writes its own keys only, so the ring needs no coordination.
 *
 * <p>Publication is behind the request: {@link #onRecord} queues the record (bounded; when full, the record is
 * dropped for the bridge only and counted, the durable audit log has it) and a virtual thread writes queued records
 * to the state. While the state is unreachable, records are dropped for the bridge, with one warning per outage.
 */
public final class BridgeLog implements AuditListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BridgeLog.class.getName());
    static final int QUEUE = 10_000;
    private static final int BATCH = 256;

    private final SharedState state;
    private final BridgeSettings settings;
    private final InstantSource clock;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private boolean inOutage;

    public BridgeLog(SharedState state, BridgeSettings settings, InstantSource clock) {
        this.state = state;
        this.settings = settings;
        this.clock = clock;
        this.writer = Thread.ofVirtual().name("smartflow-bridge-publisher").start(this::publish);
    }

    public BridgeSettings settings() {
        return settings;
    }

    @Override
    public void onRecord(AuditRecord record) {
        if (settings.retention() == 0 || closed) {
            return;
        }
        if (!queue.offer(AuditJson.describe(record).toString())) {
            dropped.incrementAndGet();
        }
    }

    /** Records dropped for the bridge because its queue was full. */
    public long dropped() {
        return dropped.get();
    }

    private String prefix() {
        return "bridge:" + settings.cluster() + ":";
    }

    private void publish() {
        List<String> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<String> batch) {
        String id = settings.instanceId();
        String log = prefix() + "log:" + id;
        String seq = prefix() + "seq:" + id;
        try {
            for (String entry : batch) {
                long n = state.increment(seq, 1, Optional.of(settings.ttl()));
                state.hashPut(log, Long.toString(Math.floorMod(n, settings.retention())), entry);
            }
            state.expire(log, settings.ttl());
            state.expire(seq, settings.ttl());
            state.hashPut(prefix() + "instances", id, clock.instant().toString());
            state.expire(prefix() + "instances", settings.ttl());
            if (inOutage) {
                inOutage = false;
                LOG.log(System.Logger.Level.INFO, "bridge: publishing audit records again");
            }
        } catch (StateUnavailable | IllegalStateException e) {
            if (!inOutage) {
                inOutage = true;
                LOG.log(System.Logger.Level.WARNING, "bridge: shared state unreachable, audit records are not"
                        + " published to the bridge meanwhile (the audit log keeps them): " + e.getMessage());
            }
        }
    }

    /** One instance as the bridge knows it. */
    public record Instance(String id, Instant lastSeen, int records) {
    }

    /** What {@link #read} found: the entries, newest first, and the instances they came from. */
    public record Page(List<ObjectNode> entries, List<Instance> instances, boolean hasMore) {
    }

    /**
     * The newest {@code limit} records of every instance seen within the TTL that pass {@code filter}, newest first
     * (then by request id), each with {@code instance_id}.
     */
    public Page read(int limit, Predicate<JsonNode> filter) {
        Instant now = clock.instant();
        List<ObjectNode> all = new ArrayList<>();
        List<Instance> instances = new ArrayList<>();
        for (Map.Entry<String, String> instance : state.hashGetAll(prefix() + "instances").entrySet()) {
            Instant lastSeen = parse(instance.getValue());
            if (lastSeen.plus(settings.ttl()).isBefore(now)) {
                continue;
            }
            int count = 0;
            for (String value : state.hashGetAll(prefix() + "log:" + instance.getKey()).values()) {
                ObjectNode entry = entry(value);
                if (entry == null) {
                    continue;
                }
                count++;
                entry.put("instance_id", instance.getKey());
                if (filter.test(entry)) {
                    all.add(entry);
                }
            }
            instances.add(new Instance(instance.getKey(), lastSeen, count));
        }
        all.sort(Comparator.comparing((ObjectNode e) -> parse(e.path("timestamp").asText()))
                .thenComparing(e -> e.path("request_id").asText()).reversed());
        instances.sort(Comparator.comparing(Instance::id));
        return new Page(all.size() > limit ? List.copyOf(all.subList(0, limit)) : all, instances,
                all.size() > limit);
    }

    private static ObjectNode entry(String value) {
        try {
            JsonNode node = Body.MAPPER.readTree(value);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** Publishes what is queued (waiting up to a few seconds), then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (dropped.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "bridge: " + dropped.get() + " audit record(s) were not published"
                    + " to the bridge because its queue was full");
        }
    }
}
