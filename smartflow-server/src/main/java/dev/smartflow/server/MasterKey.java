package dev.smartflow.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The master key: {@code SMARTFLOW_MASTER_KEY} when set; otherwise the one kept in {@code <data>/master.key}, made on
 * first start (48 random hex characters, file readable by its owner only) and shown once on the console.
 */
final class MasterKey {
    static final String FILE = "master.key";

    private MasterKey() {
    }

    /** The key, and whether it was just generated (so the caller shows it once). */
    record Resolved(String key, boolean generated) {
        @Override
        public String toString() {
            return "Resolved[██, generated=" + generated + "]";
        }
    }

    static Resolved resolve(Optional<String> configured, Path dataDir) throws IOException {
        if (configured.isPresent()) {
            return new Resolved(configured.get(), false);
        }
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw new IOException(file + " is empty; delete it to generate a new master key");
            }
            return new Resolved(key, false);
        }
        Files.createDirectories(dataDir);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String key = "sk-sf-master-" + HexFormat.of().formatHex(random);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            return resolve(configured, dataDir);
        }
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
        return new Resolved(key, true);
    }
}
