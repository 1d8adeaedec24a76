package dev.smartflow.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smartflow.core.exchange.Principal;
import dev.smartflow.core.memory.InMemoryDatabase;
import dev.smartflow.core.memory.InMemorySharedState;
import dev.smartflow.core.spi.BudgetPeriod;
import dev.smartflow.core.spi.KeyId;
import dev.smartflow.core.spi.KeyStore;
import dev.smartflow.core.spi.VirtualKey;
import dev.smartflow.core.testing.UnreachableState;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VirtualKeysTest {
    private final KeyStore store = new InMemoryDatabase().keys();
    private final InMemorySharedState state = new InMemorySharedState();
    private final VirtualKeys keys = new VirtualKeys(store, state,
            InstantSource.fixed(Instant.parse("2026-11-23T10:00:00Z")));

    @Test
    void aTokenIsSkSfAnd48LowerCaseHexDigits() {
        // when
        String token = keys.issue("ci", "team-a", b -> b).token();

        // then
        assertTrue(token.matches("sk-sf-[0-9a-f]{48}"), token);
        assertTrue(VirtualKeys.looksLikeToken(token));
    }

    @Test
    void everyIssueMakesADifferentTokenAndId() {
        // when
        VirtualKeys.Issued first = keys.issue("a", "team-a", b -> b);
        VirtualKeys.Issued second = keys.issue("b", "team-a", b -> b);

        // then
        assertNotEquals(first.token(), second.token());
        assertNotEquals(first.key().id(), second.key().id());
    }

    @Test
    void onlyTheTokensSha256IsStored() {
        // when
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b.allowedProviders(Set.of("openai")));

        // then
        VirtualKey stored = store.findById(issued.key().id()).orElseThrow();
        assertEquals(VirtualKeys.hash(issued.token()), stored.tokenHash());
        assertTrue(stored.tokenHash().matches("[0-9a-f]{64}"));
        assertNotEquals(issued.token(), stored.tokenHash());
        assertEquals(Set.of("openai"), stored.allowedProviders());
        assertEquals(Instant.parse("2026-11-23T10:00:00Z"), stored.createdAt());
        assertTrue(stored.active());
    }

    @Test
    void theTokenNeverAppearsInToString() {
        // when
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);

        // then
        assertFalse(issued.toString().contains(issued.token()));
        assertFalse(issued.key().toString().contains(issued.token()));
        assertFalse(issued.key().toString().contains(issued.key().tokenHash()));
        assertFalse(Principal.of(issued.key()).toString().contains(issued.token()));
        assertEquals("Principal[kind=VIRTUAL_KEY, id=" + issued.key().id() + "]",
                Principal.of(issued.key()).toString());
    }

    @Test
    void revokingMarksTheKeyInactiveAndAnnouncesItsId() {
        // given
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);
        List<String> messages = new ArrayList<>();
        state.subscribe(VirtualKeys.CHANNEL, messages::add);

        // when
        boolean revoked = keys.revoke(issued.key().id());

        // then
        assertTrue(revoked);
        assertFalse(store.findById(issued.key().id()).orElseThrow().active());
        assertEquals(List.of(issued.key().id().value()), messages);
    }

    @Test
    void aKeyIsRevokedHereAndDurablyWhileSharedStateIsUnreachable() {
        // given
        UnreachableState outage = new UnreachableState(state);
        List<KeyId> invalidated = new ArrayList<>();
        VirtualKeys keys = new VirtualKeys(store, outage.state(),
                InstantSource.fixed(Instant.parse("2026-11-23T10:00:00Z")), invalidated::add);
        VirtualKeys.Issued issued = keys.issue("ci", "team-a", b -> b);
        outage.down().set(true);

        // when
        boolean revoked = keys.revoke(issued.key().id());

        // then: other instances miss the message, but nothing else fails
        assertTrue(revoked);
        assertFalse(store.findById(issued.key().id()).orElseThrow().active());
        assertEquals(List.of(issued.key().id()), invalidated);
    }

    @Test
    void revokingAnUnknownKeyAnnouncesNothing() {
        // given
        List<String> messages = new ArrayList<>();
        state.subscribe(VirtualKeys.CHANNEL, messages::add);

        // when
        boolean revoked = keys.revoke(KeyId.of("key_unknown"));

        // then
        assertFalse(revoked);
        assertTrue(messages.isEmpty());
    }

    @Test
    void malformedTokensDoNotLookLikeTokens() {
        assertFalse(VirtualKeys.looksLikeToken("sk-sf-"));
        assertFalse(VirtualKeys.looksLikeToken("sk-sf-" + "A".repeat(48)));
        assertFalse(VirtualKeys.looksLikeToken("sk-xx-" + "a".repeat(48)));
        assertFalse(VirtualKeys.looksLikeToken("sk-sf-" + "a".repeat(49)));
    }

    @Test
    void fieldsBeyondTheLimitsAreRefusedNamingTheFieldAndNothingIsStored() {
        String longest = "\uD83D\uDD11".repeat(VirtualKeys.MAX_NAME_LENGTH);
        Map<String, UnaryOperator<VirtualKey.Builder>> tooMuch = new LinkedHashMap<>();
        tooMuch.put("allowedProviders", b -> b.allowedProviders(numbered("p", VirtualKeys.MAX_PROVIDERS + 1)));
        tooMuch.put("tags", b -> b.tags(numbered("t", VirtualKeys.MAX_TAGS + 1).stream()
                .collect(Collectors.toMap(t -> t, t -> "v"))));
        tooMuch.put("budgetMicros", b -> b.budget(VirtualKeys.MAX_BUDGET_MICROS + 1, BudgetPeriod.MONTHLY));
        for (Map.Entry<String, UnaryOperator<VirtualKey.Builder>> c : tooMuch.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> keys.issue("ci", "team-a", c.getValue()), c.getKey());
            assertTrue(e.getMessage().startsWith(c.getKey() + " "), e.getMessage());
        }
        for (String bad : List.of(longest + "x", "a\u0000b", "line\nbreak", "tab\there", "del\u007f", "\uD800x",
                "x\uDC00")) {
            assertThrows(IllegalArgumentException.class, () -> keys.issue(bad, "team-a", b -> b), "name");
            assertThrows(IllegalArgumentException.class, () -> keys.issue("ci", bad, b -> b), "ownerId");
            assertThrows(IllegalArgumentException.class, () -> keys.issue("ci", "team-a",
                    b -> b.tags(Map.of("env", bad))), "tag value");
        }
        assertEquals(List.of(), store.list());
    }

    @Test
    void fieldsAtTheLimitsAreStoredWhole() {
        // given: code points, not UTF-16 units, are counted
        String longest = "\uD83D\uDD11".repeat(VirtualKeys.MAX_NAME_LENGTH);
        String tag = "\u00e9".repeat(VirtualKeys.MAX_TAG_LENGTH);
        Map<String, String> tags = numbered(tag.substring(4), VirtualKeys.MAX_TAGS).stream()
                .collect(Collectors.toMap(t -> t, t -> tag));

        // when
        VirtualKeys.Issued issued = keys.issue(longest, longest, b -> b.tags(tags)
                .allowedProviders(numbered("p", VirtualKeys.MAX_PROVIDERS))
                .budget(VirtualKeys.MAX_BUDGET_MICROS, BudgetPeriod.LIFETIME));

        // then
        assertEquals(issued.key(), store.findById(issued.key().id()).orElseThrow());
    }

    private static Set<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toSet());
    }
}
