package dev.smartflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.bench.DrillReport.Call;
import dev.smartflow.bench.DrillReport.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class DrillReportTest {

    @Test
    void compareCountsLostDuplicatesAndUnacknowledged() {
        String line = DrillReport.compare(List.of("a", "b", "c", "d"), List.of("a", "b", "b", "e"));

        assertTrue(line.startsWith("acked=4 audited=3 lost=2 duplicates=1 audited_not_acked=1 lost_examples=c,d"),
                line);
    }

    @Test
    void percentileIsNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

        assertEquals(5, DrillReport.percentile(sorted, 50));
        assertEquals(10, DrillReport.percentile(sorted, 99));
        assertEquals(-1, DrillReport.percentile(new long[0], 50));
    }

    @Test
    void recoveryWaitsForARunOfPromptSuccesses() {
        List<Call> calls = new ArrayList<>();
        // after t=1000: a failure, then 200s that still took 5 s (waiting for a reconnect), then prompt 200s
        calls.add(call(0, 1000, 1010, 503));
        for (int i = 0; i < 5; i++) {
            calls.add(call(1 + i, 1100 + i, 6100 + i, 200));
        }
        for (int i = 0; i < 3; i++) {
            calls.add(call(10 + i, 7000 + i, 7005 + i, 200));
        }
        Log log = new Log(calls, List.of(new DrillReport.Probe(1500, 1510, 503), new DrillReport.Probe(2000, 2010, 200)));

        assertEquals("recovery_ms=6000 run=3 healthy_ms=1000 ready_ms=1010", DrillReport.recovery(log, 1000, 3, 1000));
        assertTrue(DrillReport.recovery(log, 1000, 4, 1000).startsWith("recovery_ms=-1 "));
    }

    @Test
    void laterTellsWhichOutageCallsReachedTheUpstreamAndWhen() {
        Log log = new Log(List.of(
                call(1, 100, 200, 200),          // before the window
                call(2, 1000, 31000, 0),         // timed out; reached the upstream after the caller gave up
                call(3, 1500, 2500, 503),        // refused, never reached the upstream
                call(4, 2000, 21000, 200)), List.of());
        Map<Long, Long> received = Map.of(1L, 150L, 2L, 40000L, 4L, 20900L);

        assertEquals("outage_calls=3 reached_upstream=2 reached_after_outage=2 reached_without_200=1"
                + " reached_after_caller_done=1", DrillReport.later(log, received, 1000, 20000));
    }

    @Test
    void windowCountsOutcomesOfTheCallsStartedInIt() {
        Log log = new Log(List.of(call(1, 10, 20, 200), call(2, 30, 60, 503), call(3, 100, 110, 200)),
                List.of(new DrillReport.Probe(40, 45, 503)));

        assertEquals("calls=2 p50_ms=10 p99_ms=30 max_ms=30 s200=1 s503=1 probe_503=1", DrillReport.window(log, 0, 100));
    }

    @Test
    void loadOutcomesOfStreamsAndErrors() {
        DrillLoad.Outcome complete = DrillLoad.outcome(200, "data: {}\n\ndata: [DONE]\n\n", true, "req_1");
        DrillLoad.Outcome broken = DrillLoad.outcome(200, "data: {}\n\ndata: {\"error\":{}}\n\ndata: [DONE]\n\n",
                true, "req_2");
        DrillLoad.Outcome refused = DrillLoad.outcome(503,
                "{\"error\":{\"message\":\"m\",\"type\":\"server_error\",\"param\":null,\"code\":\"state_unavailable\"}}",
                false, "req_3");

        assertTrue(complete.acknowledged());
        assertFalse(broken.acknowledged());
        assertEquals("stream_error", broken.code());
        assertEquals("state_unavailable", refused.code());
        assertFalse(refused.acknowledged());
    }

    private static Call call(long seq, long start, long end, int status) {
        return new Call(seq, start, end, status, "-", "ok", "req_" + seq);
    }
}
