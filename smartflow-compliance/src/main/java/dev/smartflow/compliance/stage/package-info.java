/**
 * The pipeline side of compliance: {@link dev.smartflow.compliance.stage.ComplianceStage} scans requests and answers
 * (streams included) at the {@code PRE_CALL} slot; {@link dev.smartflow.compliance.stage.ComplianceStages} installs it
 * in-process.
 */
package dev.smartflow.compliance.stage;
