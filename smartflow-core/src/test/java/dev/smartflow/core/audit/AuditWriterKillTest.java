package dev.smartflow.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.spi.AuditLog;
import dev.smartflow.core.spi.AuditQuery;
import dev.smartflow.core.spi.AuditRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code kill -9}: a separate JVM audits records into a writer whose store never answers and is killed while
 * it does; a writer started on its spool directory then writes every record the killed one had acknowledged.
 */
class AuditWriterKillTest {
    private static final int PRODUCED = 20_000;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 3_000;

    @TempDir
    Path spool;
    @TempDir
    Path scratch;

    @Test
    void everyRecordAcknowledgedBeforeAKillIsWrittenAfterTheRestart() throws Exception {
        // given: a process auditing as fast as it can
        Path errors = scratch.resolve("child.err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AuditCrashChild.class.getName(), spool.toString(),
                String.valueOf(PRODUCED))
                .redirectError(errors.toFile())
                .start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII))) {
            String line;
            while (acknowledged < ACKNOWLEDGED_BEFORE_KILL && (line = out.readLine()) != null) {
                acknowledged = Integer.parseInt(line.trim());
            }

            // when: killed mid-stream (SIGKILL: no shutdown hook, no drain, no flush)
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child died");
        } finally {
            child.destroyForcibly();
        }
        assertTrue(acknowledged >= ACKNOWLEDGED_BEFORE_KILL,
                "the child acknowledged " + acknowledged + "; its errors: " + Files.readString(errors));

        // and: the next process starts on the same directory
        AuditLog log = new InMemoryDatabase().audit();
        try (AuditWriter next = AuditWriter.builder(log).flushInterval(Duration.ofMillis(10))
                .spoolDirectory(spool).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (next.pending() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, next.pending());
        }

        // then: every acknowledged record is there, once, and nothing else
        List<AuditRecord> logged = log.query(AuditQuery.latest(AuditQuery.MAX_LIMIT));
        Set<String> ids = logged.stream().map(AuditRecord::requestId).collect(Collectors.toSet());
        assertEquals(logged.size(), ids.size());
        for (int i = 0; i <= acknowledged; i++) {
            assertTrue(ids.contains("kill-" + i), "kill-" + i + " was acknowledged and is lost");
        }
        assertTrue(ids.size() <= PRODUCED);
        assertTrue(logged.stream().allMatch(r -> r.equals(AuditCrashChild.record(
                Integer.parseInt(r.requestId().substring("kill-".length()))))), "records are intact");
    }
}
