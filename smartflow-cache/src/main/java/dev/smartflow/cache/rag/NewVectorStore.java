package dev.smartflow.cache.rag;

import java.util.Map;
import java.util.Objects;

/**
 * What a new vector store is called and described as; checked against the limits when it is created
 * ({@link VectorStores#create}).
 *
 * @param name        a name for people, 1 to 256 characters
 * @param description up to 512 characters; empty for none
 * @param metadata    up to 16 pairs, keys up to 64 characters, values up to 512
 */
public record NewVectorStore(String name, String description, Map<String, String> metadata) {
    public NewVectorStore {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        metadata = Map.copyOf(metadata);
    }

    /** A store with only a name. */
    public static NewVectorStore named(String name) {
        return new NewVectorStore(name, "", Map.of());
    }

    public NewVectorStore withDescription(String newDescription) {
        return new NewVectorStore(name, newDescription, metadata);
    }

    public NewVectorStore withMetadata(Map<String, String> newMetadata) {
        return new NewVectorStore(name, description, newMetadata);
    }
}
