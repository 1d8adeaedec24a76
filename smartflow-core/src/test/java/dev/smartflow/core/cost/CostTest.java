package dev.smartflow.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smartflow.core.model.Cost;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CostTest {
    @Test
    void amountsPrintAsUsdWithSixPlaces() {
        assertEquals("0.000000", Cost.priced(0).usd());
        assertEquals("0.000003", Cost.priced(3).usd());
        assertEquals("0.000123", Cost.priced(123).usd());
        assertEquals("0.016500", Cost.priced(16_500).usd());
        assertEquals("18.000000", Cost.priced(18_000_000).usd());
        assertEquals("1234.567891", Cost.priced(1_234_567_891).usd());
    }

    @Test
    void unknownCostsPrintAsUnknownWithTheirReason() {
        assertEquals("unknown", Cost.unpriced().usd());
        assertEquals("unpriced", Cost.unpriced().status().id());
        assertEquals("unknown", Cost.noUsage().usd());
        assertEquals("no_usage", Cost.noUsage().status().id());
        assertEquals("priced", Cost.priced(1).status().id());
    }

    @Test
    void anAmountGoesWithPricedOnly() {
        assertThrows(IllegalArgumentException.class, () -> new Cost(Cost.Status.UNPRICED, OptionalLong.of(1)));
        assertThrows(IllegalArgumentException.class, () -> new Cost(Cost.Status.PRICED, OptionalLong.empty()));
        assertThrows(IllegalArgumentException.class, () -> Cost.priced(-1));
    }
}
