package dev.smartflow.server.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static final String MASTER = "sk-master-0123456789";

    @Test
    void whatIsSealedOpensOnAnotherInstanceOfTheSameDeployment() {
        String sealed = SecretBox.fromMasterKey(MASTER, "smartflow-mcp-secrets-v1").seal("ghp_secret");

        assertTrue(sealed.startsWith("v1:"));
        assertFalse(sealed.contains("ghp_secret"));
        assertEquals("ghp_secret", SecretBox.fromMasterKey(MASTER, "smartflow-mcp-secrets-v1").open(sealed));
    }

    @Test
    void theSameTextSealsDifferentlyEachTime() {
        SecretBox box = SecretBox.fromPassphrase("passphrase");

        assertNotEquals(box.seal("token"), box.seal("token"));
    }

    @Test
    void twoModulesNeverShareAKeyEvenUnderOneMasterKey() {
        String sealed = SecretBox.fromMasterKey(MASTER, "smartflow-mcp-secrets-v1").seal("token");

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> SecretBox.fromMasterKey(MASTER, "smartflow-a2a-secrets-v1").open(sealed));
        assertFalse(refused.getMessage().contains("token"));
    }

    @Test
    void changedOrForeignTextIsRefusedWithoutRevealingIt() {
        SecretBox box = SecretBox.fromPassphrase("passphrase");
        byte[] raw = Base64.getDecoder().decode(box.seal("token").substring(3));
        raw[raw.length - 1] ^= 1;

        assertThrows(IllegalStateException.class, () -> box.open("v1:" + Base64.getEncoder().encodeToString(raw)));
        assertThrows(IllegalStateException.class, () -> box.open("token"));
        assertThrows(IllegalStateException.class, () -> box.open("v1:%%%"));
        assertThrows(IllegalStateException.class, () -> box.open("v1:AAAA"));
    }
}
