package dev.smartflow.compliance;

import dev.smartflow.cache.embed.Embedders;
import dev.smartflow.compliance.api.ComplianceApi;
import dev.smartflow.compliance.api.IntelligentApi;
import dev.smartflow.compliance.detect.Detector;
import dev.smartflow.compliance.intel.Baselines;
import dev.smartflow.compliance.intel.IntelligentEngine;
import dev.smartflow.compliance.intel.SimilarityLayer;
import dev.smartflow.compliance.redact.PseudonymKeys;
import dev.smartflow.compliance.stage.ComplianceStage;
import dev.smartflow.core.Slot;
import dev.smartflow.core.exchange.Attributes;
import dev.smartflow.core.exchange.ModuleOperation;
import dev.smartflow.server.ModuleContext;
import dev.smartflow.server.ServerModule;
import dev.smartflow.server.Service;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Compliance in the server: reads the {@code compliance:} section ({@link ComplianceSettings}), adds the
 * {@link ComplianceStage} at {@link Slot#PRE_CALL} (unless {@code enabled: false}) and the Compliance API on the
 * compliance service (port 7777). A {@link PolicySource.Factory} on the class path (the policy library) supplies
 * policies beyond the built-in ones.
 */
public final class ComplianceModule implements ServerModule {
    private static final System.Logger LOG = System.getLogger(ComplianceModule.class.getName());

    @Override
    public String name() {
        return "compliance";
    }

    @Override
    public void install(ModuleContext context) {
        install(context, System.getenv());
    }

    void install(ModuleContext context, Map<String, String> env) {
        ComplianceSettings settings = ComplianceSettings.load(context.config(), env);
        PolicySource source = ServiceLoader.load(PolicySource.Factory.class).findFirst()
                .map(factory -> factory.create(context)).orElse(PolicySource.NONE);
        ComplianceEngine engine = ComplianceEngine.builder()
                .detector(Detector.withPhoneRegions(settings.phoneRegions()))
                .policySource(source)
                .defaultPolicy(settings.defaultPolicy())
                .keys(settings.pseudonymKey().map(PseudonymKeys::fromConfiguredKey)
                        .orElseGet(() -> PseudonymKeys.fromSharedState(context.state())))
                .build();
        if (settings.enabled()) {
            context.pipeline().addStage(Slot.PRE_CALL, new ComplianceStage(engine, settings.scanAnswers()));
        }
        Optional<SimilarityLayer> similarity = Optional.empty();
        if (settings.ml()) {
            LazyEmbedder embedder = new LazyEmbedder(() -> Embedders.shared(context));
            context.closeWith(embedder);
            similarity = Optional.of(new SimilarityLayer(embedder, context.state()));
        }
        IntelligentEngine intelligent = new IntelligentEngine(engine, similarity,
                new Baselines(context.state(), context.clock(), settings.learningDays()), context.state(),
                context.clock());
        IntelligentApi intelligentApi = new IntelligentApi(engine, intelligent);
        ComplianceApi api = new ComplianceApi(engine, intelligentApi.operations());
        context.pipeline().addStage(Slot.BEFORE_ROUTE, api);
        context.routes(Service.COMPLIANCE, app -> {
            for (ModuleOperation operation : api.operations()) {
                app.routes.post(operation.path(), context.pipelineRoute(operation, ctx -> Attributes.EMPTY));
            }
            intelligentApi.routes(app, context.master());
        });
        LOG.log(System.Logger.Level.INFO, "compliance: " + settings);
    }
}
