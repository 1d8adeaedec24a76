package dev.smartflow.providers.catalog;

import dev.smartflow.core.cost.Pricing;
import dev.smartflow.core.cost.TokenPrice;
import dev.smartflow.core.cost.UnitPrice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The models Smartflow knows prices and limits for: a versioned list bundled with this module
 * ({@code dev/smartflow/providers/catalog/models.json}), optionally overridden by a deployment's own file or entries,
 * each replacing the bundled entry of the same provider and model or adding a new one. As {@link Pricing} it gives the
 * token prices the cost stage bills by.
 *
 * <p>Lookup is by provider and model, case-insensitive, exact id or alias first; then, one at a time, the qualifiers
 * that name the same model at the same price are removed: date suffixes {@code -2024-07-18} (OpenAI),
 * {@code -20250929} (Anthropic), {@code @20250929} (Claude on Vertex AI), {@code -latest}, a Replicate version
 * ({@code owner/model:<64 hex>}), and a Bedrock cross-region profile's geography
 * ({@code us.anthropic.claude-...} is {@code anthropic.claude-...}). So {@code gpt-4o-mini-2024-07-18} is priced as
 * {@code gpt-4o-mini}, while a snapshot with its own price ({@code gpt-4o-2024-05-13}) has its own entry and wins. No
 * other guessing: {@code gpt-4o-audio-preview} is not {@code gpt-4o}, and a model the catalog does not know is
 * unpriced, never free.
 *
 * <p>Immutable and thread-safe; lookups are two hash probes per suffix tried.
 *
 * <pre>{@code
 * ModelCatalog catalog = ModelCatalog.bundled().withOverrides(Path.of("/etc/smartflow/prices.json"));
 * catalog.find("openai", "gpt-4o-mini-2024-07-18");  // the gpt-4o-mini entry
 * Smartflow smartflow = Smartflow.builder().resolver(registry).pricing(catalog).build();
 * }</pre>
 */
public final class ModelCatalog implements Pricing {
    /** Where the bundled list lives on the classpath. */
    public static final String RESOURCE = "/dev/smartflow/providers/catalog/models.json";

    /**
     * Qualifiers that name a dated snapshot, a moving alias, a pinned version or a routing of the same model at the
     * same price; tried one at a time: dates ({@code -2024-07-18}, {@code -20250929}, Vertex's {@code @20250929}),
     * {@code -latest}, a Replicate version ({@code :} and 64 hex digits), and the geography of a Bedrock cross-region
     * inference profile ({@code us.}, {@code eu.}, {@code apac.}, {@code global.}, ...).
     */
    private static final List<Pattern> QUALIFIERS = List.of(
            Pattern.compile("-\\d{4}-\\d{2}-\\d{2}$"),
            Pattern.compile("-\\d{8}$"),
            Pattern.compile("@\\d{8}$"),
            Pattern.compile("-latest$"),
            Pattern.compile(":[0-9a-f]{64}$"),
            Pattern.compile("^(?:us|us-gov|eu|apac|au|ca|jp|global)\\.(?=[a-z]+\\.)"));

    private static volatile ModelCatalog bundled;

    private final String version;
    private final String source;
    private final List<ModelEntry> entries;
    /** "provider/model-or-alias" to entry; ids win over aliases. */
    private final Map<String, ModelEntry> index;

    private ModelCatalog(String version, String source, List<ModelEntry> entries) {
        this.version = version;
        this.source = source;
        this.entries = List.copyOf(entries);
        Map<String, ModelEntry> byName = new HashMap<>();
        for (ModelEntry entry : this.entries) {
            byName.put(key(entry.provider(), entry.model()), entry);
        }
        for (ModelEntry entry : this.entries) {
            for (String alias : entry.aliases()) {
                byName.putIfAbsent(key(entry.provider(), alias), entry);
            }
        }
        this.index = Map.copyOf(byName);
    }

    /** The list bundled with this module, read once. */
    public static ModelCatalog bundled() {
        ModelCatalog catalog = bundled;
        if (catalog == null) {
            try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled model catalog " + RESOURCE + " is missing");
                }
                CatalogFile file = CatalogFile.read(in, RESOURCE);
                catalog = new ModelCatalog(file.version().orElseThrow(
                        () -> new IllegalStateException(RESOURCE + " has no version")),
                        file.source().orElse(""), file.models());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundled = catalog;
        }
        return catalog;
    }

    /** A catalog of these entries alone, e.g. for tests or a deployment that brings its whole list. */
    public static ModelCatalog of(String version, Collection<ModelEntry> entries) {
        return new ModelCatalog(Objects.requireNonNull(version, "version"), "", dedupe(List.copyOf(entries)));
    }

    /**
     * This catalog with the entries of {@code file} (same format as the bundled list; {@code version} optional)
     * replacing or adding models.
     *
     * @throws IllegalArgumentException if the file cannot be read or an entry is malformed; the message names the
     *                                  file and the entry
     */
    public ModelCatalog withOverrides(Path file) {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            CatalogFile read = CatalogFile.read(in, file.toString());
            return withOverrides(read.version().orElse(file.getFileName().toString()), read.models());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model catalog " + file + ": " + e.getMessage(), e);
        }
    }

    /** This catalog with {@code overrides} replacing entries of the same provider and model, or adding to them. */
    public ModelCatalog withOverrides(Collection<ModelEntry> overrides) {
        return withOverrides("overrides", List.copyOf(overrides));
    }

    private ModelCatalog withOverrides(String overrideVersion, List<ModelEntry> overrides) {
        List<ModelEntry> merged = new ArrayList<>(entries);
        merged.addAll(overrides);
        return new ModelCatalog(version + "+" + overrideVersion, source, dedupe(merged));
    }

    /** The later entry of the same provider and model wins, in the earlier one's place. */
    private static List<ModelEntry> dedupe(List<ModelEntry> entries) {
        Map<String, ModelEntry> byId = new LinkedHashMap<>();
        for (ModelEntry entry : entries) {
            byId.put(key(entry.provider(), entry.model()), entry);
        }
        return List.copyOf(byId.values());
    }

    /** The bundled list's version ({@code 2026-11-23}), followed by {@code +<override>} when overridden. */
    public String version() {
        return version;
    }

    /** Where the bundled prices come from and what they leave out. */
    public String source() {
        return source;
    }

    public List<ModelEntry> entries() {
        return entries;
    }

    /** The entry for {@code model} as served by {@code provider}; see the class comment for suffixes. */
    public Optional<ModelEntry> find(String provider, String model) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        String p = provider.toLowerCase(Locale.ROOT);
        String name = model.strip().toLowerCase(Locale.ROOT);
        while (true) {
            ModelEntry entry = index.get(key(p, name));
            if (entry != null) {
                return Optional.of(entry);
            }
            String shorter = withoutQualifier(name);
            if (shorter.equals(name)) {
                return Optional.empty();
            }
            name = shorter;
        }
    }

    @Override
    public Optional<TokenPrice> price(String provider, String model) {
        return find(provider, model).flatMap(ModelEntry::tokens);
    }

    /** The per-unit price that goes with the entry's mode: per image, audio hour, million characters or search. */
    @Override
    public Optional<UnitPrice> unitPrice(String provider, String model) {
        return find(provider, model).flatMap(entry -> {
            OptionalLong micros = switch (entry.mode()) {
                case IMAGE_GENERATION -> entry.microsPerImage();
                case TRANSCRIPTION -> entry.microsPerAudioHour();
                case SPEECH -> entry.microsPerMillionCharacters();
                case RERANK -> entry.microsPerSearch();
                case CHAT, EMBEDDING -> OptionalLong.empty();
            };
            UnitPrice.Unit unit = switch (entry.mode()) {
                case IMAGE_GENERATION -> UnitPrice.Unit.IMAGE;
                case TRANSCRIPTION -> UnitPrice.Unit.AUDIO_HOUR;
                case SPEECH -> UnitPrice.Unit.MILLION_CHARACTERS;
                default -> UnitPrice.Unit.SEARCH;
            };
            return micros.isPresent() ? Optional.of(new UnitPrice(unit, micros.getAsLong())) : Optional.empty();
        });
    }

    @Override
    public String toString() {
        return "ModelCatalog[version=" + version + ", " + entries.size() + " models]";
    }

    private static String withoutQualifier(String name) {
        for (Pattern qualifier : QUALIFIERS) {
            String shorter = qualifier.matcher(name).replaceFirst("");
            if (!shorter.equals(name) && !shorter.isEmpty()) {
                return shorter;
            }
        }
        return name;
    }

    private static String key(String provider, String model) {
        return provider + "/" + model;
    }
}
