package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.budget.OutageMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsNeedNoFile() {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of());
        assertEquals(7775, config.port(Service.PROXY));
        assertEquals(7778, config.port(Service.MANAGEMENT));
        assertEquals(7777, config.port(Service.COMPLIANCE));
        assertEquals(7782, config.port(Service.POLICY));
        assertEquals(3500, config.port(Service.BRIDGE));
        assertEquals(EnumSet.allOf(Service.class), config.services());
        assertEquals(Path.of("smartflow-data"), config.dataDir());
        assertTrue(config.masterKey().isEmpty());
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, """
                ports: {proxy: 9000, management: 9001}
                services: [proxy, management]
                data_dir: /tmp/from-file
                routing: {default_provider: groq}
                providers:
                  groq: {api_base: "http://groq.local/v1", timeout: 30s}
                """);
        ServerConfig config = ServerConfig.load(Optional.of(file), Map.of("PROXY_PORT", "9100",
                "SMARTFLOW_DATA_DIR", "/tmp/from-env"));
        assertEquals(9100, config.port(Service.PROXY));
        assertEquals(9001, config.port(Service.MANAGEMENT));
        assertEquals(EnumSet.of(Service.PROXY, Service.MANAGEMENT), config.services());
        assertEquals(Path.of("/tmp/from-env"), config.dataDir());
        assertEquals(Optional.of("groq"), config.defaultProvider());
        assertEquals(1, config.providers().size());
        assertEquals("groq", config.providers().get(0).name());
        assertEquals(Duration.ofSeconds(30), config.providers().get(0).timeout());
    }

    @Test
    void catalogFileComesFromTheFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, "catalog_file: /etc/smartflow/prices.json\n");
        assertEquals(Optional.of(Path.of("/etc/smartflow/prices.json")),
                ServerConfig.load(Optional.of(file), Map.of()).catalogFile());
        assertEquals(Optional.of(Path.of("/tmp/mine.json")),
                ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_CATALOG_FILE", "/tmp/mine.json")).catalogFile());
        assertEquals(Optional.empty(), ServerConfig.load(Optional.empty(), Map.of()).catalogFile());
    }

    @Test
    void backendsComeFromTheFileOrTheEnvironmentAndDefaultToEmbedded() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, """
                database_url: jdbc:h2:mem:from-file
                redis_url: redis://127.0.0.1:6379
                """);
        ServerConfig fromFile = ServerConfig.load(Optional.of(file), Map.of());
        assertEquals(Optional.of("jdbc:h2:mem:from-file"), fromFile.databaseUrl());
        assertEquals(Optional.of("redis://127.0.0.1:6379"), fromFile.redisUrl());
        ServerConfig fromEnv = ServerConfig.load(Optional.of(file), Map.of(
                "SMARTFLOW_DATABASE_URL", "jdbc:postgresql://db/smartflow", "SMARTFLOW_REDIS_URL", "redis://cache"));
        assertEquals(Optional.of("jdbc:postgresql://db/smartflow"), fromEnv.databaseUrl());
        assertEquals(Optional.of("redis://cache"), fromEnv.redisUrl());
        ServerConfig embedded = ServerConfig.load(Optional.empty(), Map.of());
        assertTrue(embedded.databaseUrl().isEmpty());
        assertTrue(embedded.redisUrl().isEmpty());
    }

    @Test
    void audioCapDefaultsToOpenAisLimitAndComesFromTheFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, "max_audio_bytes: 1048576\n");

        assertEquals(25L * 1024 * 1024, ServerConfig.load(Optional.empty(), Map.of()).maxAudioBytes());
        assertEquals(1_048_576, ServerConfig.load(Optional.of(file), Map.of()).maxAudioBytes());
        assertEquals(4096, ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_MAX_AUDIO_BYTES", "4096"))
                .maxAudioBytes());
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_MAX_AUDIO_BYTES", "12")));
        assertTrue(tooSmall.getMessage().contains("audio"), tooSmall.getMessage());
    }

    @Test
    void theBodyBudgetComesFromTheFileOrTheEnvironmentAndOtherwiseFromTheHeap() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, "max_inflight_body_bytes: 67108864\n");

        ServerConfig defaults = ServerConfig.load(Optional.empty(), Map.of());
        assertEquals(OptionalLong.empty(), defaults.maxInflightBodyBytes());
        assertTrue(defaults.inflightBodyBytes() >= Runtime.getRuntime().maxMemory() / 2);
        assertEquals(64L * 1024 * 1024, ServerConfig.load(Optional.of(file), Map.of()).inflightBodyBytes());
        assertEquals(8L * 1024 * 1024, ServerConfig.load(Optional.of(file),
                Map.of("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES", "8388608")).inflightBodyBytes());
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES", "1000")));
        assertTrue(tooSmall.getMessage().contains("max_inflight_body_bytes"), tooSmall.getMessage());
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_MAX_INFLIGHT_BODY_BYTES", "lots")));
        assertTrue(notANumber.getMessage().contains("max_inflight_body_bytes"), notANumber.getMessage());
    }

    @Test
    void backendCredentialsNeverAppearInToString() {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of(
                "SMARTFLOW_DATABASE_URL", "jdbc:postgresql://db:5432/smartflow?user=sf&password=db-secret",
                "SMARTFLOW_REDIS_URL", "redis://:redis-secret@cache:6379/0"));
        String text = config.toString();
        assertFalse(text.contains("db-secret"), text);
        assertFalse(text.contains("redis-secret"), text);
        assertTrue(text.contains("jdbc:postgresql://db:5432/smartflow"), text);
        assertTrue(text.contains("cache:6379"), text);
    }

    @Test
    void theMasterKeyNeverAppearsInToString() {
        ServerConfig config = ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_MASTER_KEY", "sk-very-secret"));
        assertEquals(Optional.of("sk-very-secret"), config.masterKey());
        assertFalse(config.toString().contains("sk-very-secret"));
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("PROXY_PORT", "seventy")));
        assertTrue(port.getMessage().contains("PROXY_PORT"));
        IllegalArgumentException service = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_SERVICES", "proxy,gateway")));
        assertTrue(service.getMessage().contains("gateway"));
    }

    @Test
    void durationsReadTheCommonForms() {
        assertEquals(Duration.ofMillis(250), ServerConfig.duration("t", "250ms"));
        assertEquals(Duration.ofSeconds(30), ServerConfig.duration("t", "30s"));
        assertEquals(Duration.ofMinutes(5), ServerConfig.duration("t", "5m"));
        assertEquals(Duration.ofHours(1), ServerConfig.duration("t", "1h"));
        assertEquals(Duration.ofSeconds(45), ServerConfig.duration("t", "45"));
        assertEquals(Duration.ofMinutes(10), ServerConfig.duration("t", "PT10M"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.duration("t", "soon"));
    }

    @Test
    void auditSettingsComeFromTheFileThenTheEnvironment() throws Exception {
        assertEquals(AuditSettings.DEFAULTS, ServerConfig.load(Optional.empty(), Map.of()).audit());
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, """
                audit: {batch_size: 100, flush_interval: 50ms, max_pending: 2000, drain_timeout: 3s}
                """);
        ServerConfig config = ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_AUDIT_DRAIN_TIMEOUT", "1s"));
        assertEquals(new AuditSettings(100, Duration.ofMillis(50), 2000, Duration.ofSeconds(1), true), config.audit());
    }

    @Test
    void theAuditJournalIsOnUnlessTurnedOff() throws Exception {
        assertTrue(ServerConfig.load(Optional.empty(), Map.of()).audit().journal());
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, "audit: {journal: false}\n");
        assertFalse(ServerConfig.load(Optional.of(file), Map.of()).audit().journal());
        assertTrue(ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_AUDIT_JOURNAL", "true")).audit().journal());
        assertFalse(ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_AUDIT_JOURNAL", "FALSE")).audit().journal());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_AUDIT_JOURNAL", "maybe")));
        assertTrue(bad.getMessage().contains("audit.journal"), bad.getMessage());
    }

    @Test
    void badAuditSettingsAreRejectedWithTheirName() {
        IllegalArgumentException bound = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "500",
                        "SMARTFLOW_AUDIT_MAX_PENDING", "100")));
        assertTrue(bound.getMessage().contains("audit.max_pending"), bound.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_AUDIT_BATCH_SIZE", "lots")));
        assertTrue(size.getMessage().contains("audit.batch_size"), size.getMessage());
        IllegalArgumentException interval = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_AUDIT_FLUSH_INTERVAL", "0s")));
        assertTrue(interval.getMessage().contains("audit.flush_interval"), interval.getMessage());
    }

    @Test
    void sharedStateFailsFastAndClosedByDefault() {
        StateSettings state = ServerConfig.load(Optional.empty(), Map.of()).state();

        assertEquals(Duration.ofMillis(500), state.timeout());
        assertEquals(OutageMode.CLOSED, state.budgets());
        assertEquals(OutageMode.CLOSED, state.rateLimits());
    }

    @Test
    void theOutagePolicyComesFromTheFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("smartflow.yaml");
        Files.writeString(file, """
                state:
                  timeout: 250ms
                  on_outage: {budgets: open, rate_limits: open}
                """);

        StateSettings fromFile = ServerConfig.load(Optional.of(file), Map.of()).state();
        StateSettings fromEnv = ServerConfig.load(Optional.of(file), Map.of("SMARTFLOW_STATE_TIMEOUT_MS", "300",
                "SMARTFLOW_STATE_ON_OUTAGE_BUDGETS", "CLOSED")).state();

        assertEquals(new StateSettings(Duration.ofMillis(250), OutageMode.OPEN, OutageMode.OPEN), fromFile);
        assertEquals(new StateSettings(Duration.ofMillis(300), OutageMode.CLOSED, OutageMode.OPEN), fromEnv);
    }

    @Test
    void aBadOutageSettingNamesItsKey() {
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_STATE_ON_OUTAGE_RATE_LIMITS", "maybe")));
        assertTrue(mode.getMessage().contains("state.on_outage.rate_limits"), mode.getMessage());
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.load(Optional.empty(), Map.of("SMARTFLOW_STATE_TIMEOUT_MS", "0")));
        assertTrue(timeout.getMessage().contains("state.timeout"), timeout.getMessage());
    }
}
