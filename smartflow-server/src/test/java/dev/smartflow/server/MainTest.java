package dev.smartflow.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path data;

    @Test
    void unknownCommandsAndOptionsExitWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"launch"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: smartflow serve"));
        assertEquals(2, Main.run(new String[] {"serve", "--port", "1"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, Main.run(new String[] {"serve", "--data"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"serve", "--config", data.resolve("nope.yaml").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("nope.yaml"));
    }

    @Test
    void theMasterKeyIsGeneratedOnceAndKeptOwnerOnly() throws Exception {
        MasterKey.Resolved first = MasterKey.resolve(Optional.empty(), data);
        assertTrue(first.generated());
        assertTrue(first.key().matches("sk-sf-master-[0-9a-f]{48}"), "format");
        Path file = data.resolve(MasterKey.FILE);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        MasterKey.Resolved again = MasterKey.resolve(Optional.empty(), data);
        assertFalse(again.generated());
        assertEquals(first.key(), again.key());
        assertFalse(first.toString().contains(first.key()));
    }

    @Test
    void aConfiguredMasterKeyWinsAndNothingIsWritten() throws Exception {
        MasterKey.Resolved key = MasterKey.resolve(Optional.of("sk-configured"), data);
        assertEquals("sk-configured", key.key());
        assertFalse(Files.exists(data.resolve(MasterKey.FILE)));
    }
}
