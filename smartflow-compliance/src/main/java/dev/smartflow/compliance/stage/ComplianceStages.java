package dev.smartflow.compliance.stage;

import dev.smartflow.compliance.ComplianceEngine;
import dev.smartflow.core.Slot;
import dev.smartflow.core.Smartflow;
import dev.smartflow.core.SmartflowModule;
import java.util.Objects;

/**
 * Compliance in-process: adds the {@link ComplianceStage} at {@link Slot#PRE_CALL}.
 *
 * <pre>{@code
 * ComplianceEngine engine = ComplianceEngine.builder().defaultPolicy("hipaa").build();
 * Smartflow smartflow = Smartflow.builder().resolver(registry).install(new ComplianceStages(engine, true)).build();
 * }</pre>
 */
public final class ComplianceStages implements SmartflowModule {
    private final ComplianceEngine engine;
    private final boolean scanAnswers;

    /** @param scanAnswers whether answers are scanned (each policy may still say no) */
    public ComplianceStages(ComplianceEngine engine, boolean scanAnswers) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.scanAnswers = scanAnswers;
    }

    @Override
    public void install(Smartflow.Builder pipeline) {
        pipeline.addStage(Slot.PRE_CALL, new ComplianceStage(engine, scanAnswers));
    }
}
