package dev.smartflow.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayErrorTest {
    @Test
    void carriesTheStatusTypeCodeAndHeadersItsRaiserChose() {
        GatewayError error = GatewayError.of(403, "permission_error", "compliance_violation", "blocked by policy")
                .withHeader("x-smartflow-compliance-score", "0.2");

        assertEquals(403, error.status());
        assertEquals("permission_error", error.type());
        assertEquals(Optional.of("compliance_violation"), error.code());
        assertEquals("blocked by policy", error.getMessage());
        assertEquals(Optional.of("0.2"), error.headers().get("x-smartflow-compliance-score"));
    }

    @Test
    void aStatusThatIsNotAnErrorIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GatewayError.of(200, "x", "y", "z"));
        assertThrows(IllegalArgumentException.class, () -> GatewayError.of(600, "x", "y", "z"));
    }
}
