/**
 * Agent runs on the server: the {@code runs:} configuration section ({@link dev.smartflow.server.runs.RunsConfig})
 * and the trace view and kill switch on the management API ({@link dev.smartflow.server.runs.TraceRoutes}).
 */
package dev.smartflow.server.runs;
