package dev.smartflow.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VirtualKeyTest {
    private static final Instant NOW = Instant.parse("2026-11-01T10:00:00.123456789Z");

    @Test
    void theTokenHashIsLeftOutOfToString() {
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "9f86d081884c7d65", NOW).build();

        assertFalse(key.toString().contains("9f86d081884c7d65"), key.toString());
        assertTrue(key.toString().contains("k1"));
    }

    @Test
    void aNewKeyIsActiveUnlimitedAndNeverUsed() {
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "hash", NOW).build();

        assertTrue(key.active());
        assertEquals(OptionalLong.empty(), key.budgetMicros());
        assertEquals(BudgetPeriod.MONTHLY, key.period());
        assertEquals(Set.of(), key.allowedProviders());
        assertEquals(Optional.empty(), key.lastUsed());
    }

    @Test
    void timesAreTruncatedToTheMicrosecond() {
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "hash", NOW)
                .lastUsed(Optional.of(NOW))
                .build();

        assertEquals(Instant.parse("2026-11-01T10:00:00.123456Z"), key.createdAt());
        assertEquals(Optional.of(Instant.parse("2026-11-01T10:00:00.123456Z")), key.lastUsed());
    }

    @Test
    void collectionsAreCopied() {
        Set<String> providers = new HashSet<>(Set.of("openai"));
        Map<String, String> tags = new HashMap<>(Map.of("env", "prod"));
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "hash", NOW)
                .allowedProviders(providers)
                .tags(tags)
                .build();

        providers.add("anthropic");
        tags.put("env", "dev");

        assertEquals(Set.of("openai"), key.allowedProviders());
        assertEquals(Map.of("env", "prod"), key.tags());
    }

    @Test
    void invalidValuesAreRejectedNamingTheField() {
        VirtualKey.Builder negative = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "hash", NOW)
                .budget(-1, BudgetPeriod.DAILY);
        assertTrue(assertThrows(IllegalArgumentException.class, negative::build).getMessage()
                .contains("budgetMicros"));
        VirtualKey.Builder blank = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", " ", NOW);
        assertTrue(assertThrows(IllegalArgumentException.class, blank::build).getMessage().contains("tokenHash"));
        assertThrows(IllegalArgumentException.class, () -> KeyId.of(""));
    }

    @Test
    void revokedAndWithLastUsedChangeOnlyThatField() {
        VirtualKey key = VirtualKey.builder(KeyId.of("k1"), "ci", "team-a", "hash", NOW).rpmLimit(60).build();

        assertEquals(key.toBuilder().active(false).build(), key.revoked());
        assertEquals(Optional.of(NOW.plusSeconds(1).truncatedTo(ChronoUnit.MICROS)),
                key.withLastUsed(NOW.plusSeconds(1)).lastUsed());
        assertEquals(key, key.toBuilder().build());
    }
}
