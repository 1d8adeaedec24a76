package dev.smartflow.a2a;

import dev.smartflow.core.metrics.Metrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code smartflow_a2a_tasks_total{agent,method,status}}, on the gateway's registry beside the core series. Labels are
 * bounded as the core's are: agents are registered ids, methods the A2A 1.0 names, statuses the gateway's reasons;
 * past {@link Metrics#DEFAULT_MAX_LABEL_VALUES} combinations the rest count under {@value Metrics#OTHER}.
 *
 * <p>Thread-safe.
 */
final class A2aMetrics {
    private record Labels(String agent, String method, String status) {
    }

    private final Counter tasks;
    private final ConcurrentHashMap<Labels, CounterDataPoint> points = new ConcurrentHashMap<>();

    A2aMetrics(Metrics metrics) {
        this.tasks = Counter.builder().name("smartflow_a2a_tasks_total")
                .help("A2A calls through the gateway, by agent, method and outcome")
                .labelNames("agent", "method", "status").withoutExemplars().register(metrics.registry());
    }

    void task(String agent, String method, String status) {
        Labels labels = new Labels(agent, method, status);
        CounterDataPoint point = points.get(labels);
        if (point == null) {
            Labels kept = points.size() < Metrics.DEFAULT_MAX_LABEL_VALUES && agent.length() <= Metrics.MAX_LABEL_LENGTH
                    ? labels : new Labels(Metrics.OTHER, Metrics.OTHER, Metrics.OTHER);
            point = points.computeIfAbsent(kept, l -> tasks.labelValues(l.agent(), l.method(), l.status()));
        }
        point.inc();
    }
}
