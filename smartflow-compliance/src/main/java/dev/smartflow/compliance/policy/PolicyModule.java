package dev.smartflow.compliance.policy;

import dev.smartflow.cache.embed.Embedders;
import dev.smartflow.core.Slot;
import dev.smartflow.core.spi.Embedder;
import dev.smartflow.core.spi.PolicyJobStore;
import dev.smartflow.core.spi.PolicyStore;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import dev.smartflow.server.http.Services;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The policy library as a server module ({@code policy} section of the configuration): the Policy Perfect API on the
 * policy service (port 7782, master key), document-to-policy jobs, and the pre-call stage that evaluates every model
 * call against the caller's policies ({@link PolicyStage}).
 *
 * <p>Found by {@link java.util.ServiceLoader} ({@code META-INF/services/dev.smartflow.server.ServerModule}), it
 * compares texts with the process's shared embedder ({@link Embedders#shared(ModuleContext)}, the one the cache
 * module's {@code cache.embedder} names) unless {@code policy.similarity} is false; tests and embedding applications
 * pass their own to {@link #PolicyModule(Optional, PolicyDetectors)}. After {@link #install}, {@link #evaluator()} is
 * the evaluator the compliance engine can call.
 */
public final class PolicyModule implements ServerModule {
    /** The caller's embedder; unless {@link #ownEmbedder}, the process's shared one is used. */
    private final Optional<Embedder> embedder;
    private final boolean ownEmbedder;
    private final PolicyDetectors detectors;
    private volatile PolicyEvaluator evaluator;

    /** The module as the server finds it: built-in detectors, the shared embedder. */
    public PolicyModule() {
        this.embedder = Optional.empty();
        this.ownEmbedder = false;
        this.detectors = PolicyDetectors.builtIn();
    }

    /**
     * @param embedder  what compares a call's text with policies' text by meaning; empty turns that comparison off
     * @param detectors the detectors policies can name
     */
    public PolicyModule(Optional<Embedder> embedder, PolicyDetectors detectors) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.ownEmbedder = true;
        this.detectors = Objects.requireNonNull(detectors, "detectors");
    }

    @Override
    public String name() {
        return "policy";
    }

    @Override
    public void install(ModuleContext context) {
        PolicySettings settings = PolicySettings.from(context.config());
        Supplier<PolicyStore> store = () -> context.database().policies();
        Supplier<PolicyJobStore> jobStore = () -> context.database().policyJobs();
        Similarity similarity = new Similarity(settings.similarity() ? embedder(context) : Optional.empty());
        PolicyCatalog catalog = new PolicyCatalog(store, context.state(), similarity, detectors, settings.refresh());
        context.closeWith(catalog);
        catalog.start();
        PolicyStats stats = new PolicyStats(store, settings.statsFlush());
        context.closeWith(stats);
        Optional<PolicyJudge> judge = settings.judge().enabled()
                ? Optional.of(new PolicyJudge(context.smartflow(), settings.judge().model().orElseThrow()))
                : Optional.empty();
        evaluator = new PolicyEvaluator(catalog, similarity, settings, judge);
        if (settings.enabled()) {
            context.pipeline().addStage(Slot.PRE_CALL, new PolicyStage(evaluator, stats, context.smartflow(),
                    settings.trustForwardedFor()));
        }
        if (settings.trustForwardedFor()) {
            context.requestHeaders(PolicyStage.FORWARDED_FOR);
        }

        PolicyLibrary library = new PolicyLibrary(store, catalog, context.clock());
        PolicyJson json = new PolicyJson(detectors.names());
        String masterKey = context.server().masterKey()
                .orElseThrow(() -> new IllegalStateException("the server runs without a master key"));
        DocumentJobs jobs = new DocumentJobs(jobStore, context.server().dataDir(), context.smartflow(), masterKey,
                settings.generate(), context.clock());
        context.closeWith(jobs);
        jobs.start();
        // the services stop before the pipeline closes: jobs must know before their model calls start failing
        for (Service service : Service.values()) {
            context.routes(service, app -> app.events.serverStopping(jobs::stopping));
        }
        DocumentUpload upload = new DocumentUpload(context.server().dataDir().resolve("policy-uploads"),
                settings.generate().maxDocumentBytes());
        PolicyRoutes routes = new PolicyRoutes(library, json, stats, () -> context.database().keys());
        DocumentRoutes documents = new DocumentRoutes(upload, jobs, jobStore, library, json,
                settings.generate().model());
        context.routes(Service.POLICY, app -> {
            app.routes.before("/api/*", ctx -> Services.requireKey(ctx, context.master()));
            documents.register(app);
            routes.register(app);
        });
    }

    /** The embedder given, else a share of the process's (closed with the server). */
    private Optional<Embedder> embedder(ModuleContext context) {
        if (ownEmbedder) {
            return embedder;
        }
        Embedder shared = Embedders.shared(context);
        context.closeWith(shared);
        return Optional.of(shared);
    }

    /**
     * The evaluator this module installed, for the compliance engine to call.
     *
     * @throws IllegalStateException before {@link #install}
     */
    public PolicyEvaluator evaluator() {
        PolicyEvaluator installed = evaluator;
        if (installed == null) {
            throw new IllegalStateException("the policy module is not installed yet");
        }
        return installed;
    }
}
