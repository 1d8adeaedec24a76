package dev.smartflow.compliance.policy;

import dev.smartflow.core.Smartflow;
import dev.smartflow.core.error.SmartflowException;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Exchange;
import dev.smartflow.core.exchange.Headers;
import dev.smartflow.core.exchange.Operation;
import dev.smartflow.core.exchange.Response;
import dev.smartflow.core.model.ChatResponse;
import dev.smartflow.core.spi.PolicyJob;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicySuggestion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs document-to-policy jobs: reads the uploaded document's text (0 to 40%, page by page), cuts it into chunks, asks
 * the model for the policies each chunk states (40 to 100%, chunk by chunk), and merges the suggestions as they come
 * (one per name, the most confident kept). Progress and suggestions are written after every step, so a job's state
 * is always in the database.
 *
 * <p><b>Surviving a restart.</b> The uploaded document waits under {@code <data dir>/policy-jobs} until its job ends.
 * Every job carries a lease in the database, held by this instance (its id is kept in the same directory, so a
 * restarted instance is the same owner) and renewed every third of {@code lease} while the job is queued or running.
 * At start and every {@code lease}, each unfinished job whose lease this instance can take is resumed (from the
 * first chunk not analysed yet; its suggestions so far are kept) when its document is here, or failed with a reason
 * when it is not (the instance that had it stopped and did not come back). A stopping server leaves its jobs as they
 * are, leases held, for its next start.
 *
 * <p>A job fails with a reason an operator can act on: the document could not be read (encrypted, damaged, no text),
 * or a model call failed twice or answered with something other than the JSON asked for. Reasons never hold the
 * document's text, keys or URLs.
 */
final class DocumentJobs implements AutoCloseable {
    static final String DIRECTORY = "policy-jobs";
    private static final String INSTANCE_FILE = "instance-id";
    private static final int EXTRACTED_PCT = 40;
    private static final System.Logger LOG = System.getLogger(DocumentJobs.class.getName());

    private final Supplier<PolicyJobStore> store;
    private final Path directory;
    private final Supplier<Smartflow> smartflow;
    private final Headers credentials;
    private final PolicySettings.Generate settings;
    private final InstantSource clock;
    private final String instance;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * @param dataDir   the server's data directory; the documents wait in {@code policy-jobs} under it
     * @param masterKey what the model calls present: documents are an operator's, uploaded with the master key
     * @throws UncheckedIOException when the directory cannot be made
     */
    DocumentJobs(Supplier<PolicyJobStore> store, Path dataDir, Supplier<Smartflow> smartflow, String masterKey,
                 PolicySettings.Generate settings, InstantSource clock) {
        this.store = store;
        this.directory = dataDir.resolve(DIRECTORY);
        this.smartflow = smartflow;
        this.credentials = Headers.of("authorization", "Bearer " + masterKey);
        this.settings = settings;
        this.clock = clock;
        try {
            Files.createDirectories(directory);
            this.instance = instanceId(directory.resolve(INSTANCE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + directory, e);
        }
        this.workers = Executors.newFixedThreadPool(settings.concurrency(), Thread.ofVirtual()
                .name("policy-job-", 0).factory());
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("policy-jobs")
                .factory());
    }

    private static String instanceId(Path file) throws IOException {
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = "instance-" + UUID.randomUUID();
        Files.writeString(file, id, StandardCharsets.UTF_8);
        return id;
    }

    /** Resumes what was left unfinished, now and every {@code lease}; renews the leases of queued jobs. */
    void start() {
        long lease = settings.lease().toMillis();
        timer.execute(this::sweepQuietly);
        timer.scheduleWithFixedDelay(this::sweepQuietly, lease, lease, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::renew, lease / 3, lease / 3, TimeUnit.MILLISECONDS);
    }

    /** Where a job's document waits. */
    Path document(String jobId, String format) {
        return directory.resolve(jobId + "." + format);
    }

    /** Creates the job for a document already at {@link #document} and queues it. */
    PolicyJob submit(String jobId, String filename, String format, String model) {
        PolicyJob job = PolicyJob.pending(jobId, filename, format, model, clock.instant());
        store.get().create(job);
        store.get().lease(jobId, instance, clock.instant(), clock.instant().plus(settings.lease()));
        queue(jobId);
        return job;
    }

    /** The server is stopping: jobs stop where they are, to be resumed at the next start. */
    void stopping() {
        stopping = true;
    }

    private void queue(String jobId) {
        if (!stopping && queued.add(jobId)) {
            workers.execute(() -> {
                try {
                    run(jobId);
                } finally {
                    queued.remove(jobId);
                    lost.remove(jobId);
                }
            });
        }
    }

    private void sweepQuietly() {
        try {
            for (PolicyJob job : store.get().unfinished()) {
                if (stopping || queued.contains(job.id())
                        || !store.get().lease(job.id(), instance, clock.instant(),
                        clock.instant().plus(settings.lease()))) {
                    continue;
                }
                if (Files.exists(document(job.id(), job.format()))) {
                    LOG.log(System.Logger.Level.INFO, "resuming policy job " + job.id());
                    queue(job.id());
                } else {
                    fail(job, "the server holding the uploaded document stopped before the job finished; upload the "
                            + "document again");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "looking for unfinished policy jobs failed: " + e.getMessage());
        }
    }

    private void renew() {
        for (String id : queued) {
            try {
                if (!store.get().lease(id, instance, clock.instant(), clock.instant().plus(settings.lease()))) {
                    lost.add(id);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "renewing the lease of policy job " + id + " failed: " + e);
            }
        }
    }

    private void run(String id) {
        Optional<PolicyJob> found = store.get().get(id);
        if (found.isEmpty() || found.get().finished()) {
            return;
        }
        PolicyJob job = found.get();
        Path file = document(id, job.format());
        try {
            job = process(job, file);
            store.get().update(job.completed(clock.instant()));
            delete(file);
            store.get().release(id, instance);
            LOG.log(System.Logger.Level.INFO, "policy job " + id + " completed: " + job.chunksTotal() + " chunks");
        } catch (Stopped e) {
            LOG.log(System.Logger.Level.INFO, "policy job " + id + " stopped at " + e.at.progressPct()
                    + "%; it resumes at the next start");
        } catch (DocumentText.Unreadable e) {
            fail(job, e.getMessage());
        } catch (Failure e) {
            if (!stopping) {
                fail(e.at, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "policy job " + id + " failed", e);
                fail(job, "internal error (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    /** Reads and analyses the document from where the job stands; the job as it ends, before completion. */
    private PolicyJob process(PolicyJob job, Path file) throws DocumentText.Unreadable, Stopped, Failure {
        if (!Files.exists(file)) {
            throw new DocumentText.Unreadable("the uploaded document is gone; upload it again");
        }
        boolean resumed = job.chunksDone() > 0;
        PolicyJob[] current = {job.status() == PolicyJob.Status.PENDING
                ? job.progressed(0, 0, 0, 0, false, clock.instant()) : job};
        store.get().update(current[0]);
        int maxChars = Math.multiplyExact(settings.maxChunks(), settings.chunkChars());
        DocumentText.Read read = DocumentText.extract(file, job.format(), maxChars, (done, total) -> {
            checkGoing(current[0]);
            int pct = (int) ((long) done * EXTRACTED_PCT / Math.max(1, total));
            // a resumed job reads its document again without going back in progress
            if (!resumed && pct > current[0].progressPct()) {
                current[0] = current[0].progressed(pct, done, 0, 0, false, clock.instant());
                store.get().update(current[0]);
            }
        });
        if (read.text().isBlank()) {
            throw new DocumentText.Unreadable("the document has no text to read (a scanned PDF needs OCR first)");
        }
        List<String> chunks = DocumentText.chunks(read.text(), settings.chunkChars());
        boolean truncated = read.truncated() || chunks.size() > settings.maxChunks();
        if (chunks.size() > settings.maxChunks()) {
            chunks = chunks.subList(0, settings.maxChunks());
        }
        int start = Math.min(job.chunksDone(), chunks.size());
        PolicyJob at = current[0].progressed(Math.max(EXTRACTED_PCT, current[0].progressPct()), read.pages(),
                chunks.size(), start, truncated, clock.instant());
        store.get().update(at);
        Map<String, PolicySuggestion> byName = new HashMap<>();
        store.get().suggestions(job.id()).forEach(s -> byName.put(key(s.name()), s));
        for (int i = start; i < chunks.size(); i++) {
            checkGoing(at);
            List<SuggestionPrompt.Suggested> suggested = ask(at, i, chunks.size(), chunks.get(i));
            for (SuggestionPrompt.Suggested s : suggested) {
                merge(job.id(), s, byName);
            }
            int pct = Math.min(99, EXTRACTED_PCT + (100 - EXTRACTED_PCT) * (i + 1) / chunks.size());
            at = at.progressed(Math.max(pct, at.progressPct()), read.pages(), chunks.size(), i + 1, truncated,
                    clock.instant());
            store.get().update(at);
        }
        return at;
    }

    private void checkGoing(PolicyJob at) {
        if (stopping || Thread.currentThread().isInterrupted() || lost.contains(at.id())) {
            throw new Stopped(at);
        }
    }

    /** The model's suggestions for one chunk: two tries, then the job fails. */
    private List<SuggestionPrompt.Suggested> ask(PolicyJob job, int index, int total, String chunk) throws Failure {
        String part = "part " + (index + 1) + " of " + total;
        String why = "";
        for (int attempt = 0; attempt < 2; attempt++) {
            checkGoing(job);
            Exchange exchange = Exchange.of(Operation.CHAT, Body.of(SuggestionPrompt.request(job.model(),
                            job.filename(), index + 1, total, chunk)), credentials)
                    .with(InternalCall.KEY, InternalCall.SUGGESTIONS);
            try {
                Response response = smartflow.get().execute(exchange);
                if (!(response instanceof Response.Complete complete)) {
                    if (response instanceof Response.Streamed streamed) {
                        streamed.chunks().close();
                    }
                    why = "the model answered with a stream";
                    continue;
                }
                return SuggestionPrompt.parse(ChatResponse.from(complete).content());
            } catch (SmartflowException e) {
                checkGoing(job);
                why = "the model call failed: " + e.status() + " " + e.code().orElse(e.type());
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
            }
        }
        throw new Failure(job, "analysing " + part + ": " + why);
    }

    private void merge(String jobId, SuggestionPrompt.Suggested suggested, Map<String, PolicySuggestion> byName) {
        String key = key(suggested.name());
        PolicySuggestion existing = byName.get(key);
        if (existing != null && existing.confidence() >= suggested.confidence()) {
            return;
        }
        PolicySuggestion next = new PolicySuggestion(jobId,
                existing == null ? PolicyLibrary.newId("sugg_") : existing.id(),
                existing == null ? byName.size() : existing.position(), suggested.name(), suggested.type(),
                suggested.content(), suggested.priority(), suggested.framework(), suggested.confidence(),
                existing == null ? Optional.empty() : existing.acceptedPolicyId());
        store.get().putSuggestion(next);
        byName.put(key, next);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    private void fail(PolicyJob job, String reason) {
        try {
            PolicyJob current = store.get().get(job.id()).orElse(job);
            if (!current.finished()) {
                store.get().update(current.failed(reason, clock.instant()));
            }
            store.get().release(job.id(), instance);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not record that policy job " + job.id() + " failed", e);
        }
        delete(document(job.id(), job.format()));
        LOG.log(System.Logger.Level.INFO, "policy job " + job.id() + " failed: " + reason);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete " + file + ": " + e);
        }
    }

    /** Stops the timer and the workers; jobs under way stay as they are (see {@link #stopping()}). */
    @Override
    public void close() {
        stopping = true;
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The job cannot go on here (the server stops, or another instance took the job over). */
    private static final class Stopped extends DocumentText.Halt {
        final transient PolicyJob at;

        Stopped(PolicyJob at) {
            this.at = at;
        }
    }

    /** The job failed for a reason the operator can act on. */
    private static final class Failure extends Exception {
        final transient PolicyJob at;

        Failure(PolicyJob at, String reason) {
            super(reason, null, false, false);
            this.at = at;
        }
    }
}
