package dev.smartflow.compliance.policy;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.NotFound;
import dev.smartflow.core.spi.Policy;
import dev.smartflow.core.spi.PolicyAssignment;
import dev.smartflow.core.spi.PolicyPreset;
import dev.smartflow.core.spi.PolicyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Every change to the policy library goes through here: it writes the store, then tells every instance
 * ({@link PolicyCatalog#changed}), so that no write is left out of the snapshots. Reads go straight to the store
 * (admin routes) or to the snapshot (the request path).
 */
final class PolicyLibrary {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final Supplier<PolicyStore> store;
    private final PolicyCatalog catalog;
    private final InstantSource clock;

    PolicyLibrary(Supplier<PolicyStore> store, PolicyCatalog catalog, InstantSource clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A new random id: {@code prefix} and 20 hex digits. */
    static String newId(String prefix) {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return prefix + HEX.formatHex(bytes);
    }

    Instant now() {
        return clock.instant();
    }

    PolicyStore store() {
        return store.get();
    }

    PolicyCatalog catalog() {
        return catalog;
    }

    /** @throws GatewayError 409 {@code policy_exists} when the id is taken */
    Policy create(Policy policy) {
        if (!store.get().createPolicy(policy)) {
            throw conflict("policy_exists", "a policy with id '" + policy.id() + "' exists");
        }
        catalog.changed();
        return policy;
    }

    /** @throws NotFound {@code policy_not_found} */
    Policy update(Policy policy) {
        if (!store.get().updatePolicy(policy)) {
            throw policyNotFound(policy.id());
        }
        catalog.changed();
        return policy;
    }

    /** @throws NotFound {@code policy_not_found} */
    void deletePolicy(String id) {
        if (!store.get().deletePolicy(id)) {
            throw policyNotFound(id);
        }
        catalog.changed();
    }

    Policy policy(String id) {
        return store.get().policy(id).orElseThrow(() -> policyNotFound(id));
    }

    /** @throws GatewayError 409 {@code preset_exists} when the id is taken */
    PolicyPreset create(PolicyPreset preset) {
        if (!store.get().createPreset(preset)) {
            throw conflict("preset_exists", "a preset with id '" + preset.id() + "' exists");
        }
        catalog.changed();
        return preset;
    }

    /** @throws NotFound {@code preset_not_found} */
    PolicyPreset update(PolicyPreset preset) {
        if (!store.get().updatePreset(preset)) {
            throw presetNotFound(preset.id());
        }
        catalog.changed();
        return preset;
    }

    void deletePreset(String id) {
        if (!store.get().deletePreset(id)) {
            throw presetNotFound(id);
        }
        catalog.changed();
    }

    PolicyPreset preset(String id) {
        return store.get().preset(id).orElseThrow(() -> presetNotFound(id));
    }

    /** @throws GatewayError 409 {@code assignment_exists} when the same subject is assigned to the same callers */
    PolicyAssignment assign(PolicyAssignment assignment) {
        if (!store.get().addAssignment(assignment)) {
            throw conflict("assignment_exists", "this " + assignment.kind().name().toLowerCase(Locale.ROOT)
                    + " is already assigned to these callers");
        }
        catalog.changed();
        return assignment;
    }

    void unassign(String id) {
        if (!store.get().deleteAssignment(id)) {
            throw new NotFound("no assignment '" + JsonFields.printable(id) + "'", "assignment_not_found");
        }
        catalog.changed();
    }

    static NotFound policyNotFound(String id) {
        return new NotFound("no policy '" + JsonFields.printable(id) + "'", "policy_not_found");
    }

    static NotFound presetNotFound(String id) {
        return new NotFound("no preset '" + JsonFields.printable(id) + "'", "preset_not_found");
    }

    static GatewayError conflict(String code, String message) {
        return GatewayError.of(409, "invalid_request_error", code, message);
    }
}
