package dev.smartflow.core.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One embedded piece of a {@link VectorFile}: its text and its vector.
 *
 * @param fileId the file it was cut from
 * @param index  its place in the file, from 0
 * @param text   the chunk's text, as searches return it
 * @param vector its embedding, unit length; the record keeps its own copy
 */
public record VectorChunk(String fileId, int index, String text, float[] vector) {
    public VectorChunk {
        StorableText.require(fileId, "fileId");
        StorableText.require(text, "text");
        Objects.requireNonNull(vector, "vector");
        if (index < 0) {
            throw new IllegalArgumentException("a chunk's index is never negative: " + index);
        }
        if (vector.length == 0) {
            throw new IllegalArgumentException("a vector has at least one component");
        }
        vector = vector.clone();
    }

    /** A copy of the vector. */
    @Override
    public float[] vector() {
        return vector.clone();
    }

    /** The vector as stored: each component as an IEEE 754 float, little-endian. */
    public byte[] vectorBytes() {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    /**
     * The vector that {@link #vectorBytes()} wrote.
     *
     * @throws IllegalArgumentException when the length is not a whole number of floats
     */
    public static float[] vectorOf(byte[] stored) {
        if (stored.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("a stored vector has a whole number of floats, not " + stored.length
                    + " bytes");
        }
        float[] vector = new float[stored.length / Float.BYTES];
        ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorChunk other && fileId.equals(other.fileId) && index == other.index
                && text.equals(other.text) && Arrays.equals(vector, other.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileId, index, text, Arrays.hashCode(vector));
    }

    /** Ids and size only: the text may be anybody's document. */
    @Override
    public String toString() {
        return "VectorChunk[" + fileId + "#" + index + ", " + text.length() + " chars, " + vector.length + " dims]";
    }
}
