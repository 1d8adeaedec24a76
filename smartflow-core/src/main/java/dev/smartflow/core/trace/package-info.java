/** Request ids, trace ids and the latency every answer reports: {@link dev.smartflow.core.trace.TraceStage}. */
package dev.smartflow.core.trace;
