package dev.smartflow.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** How record components become column values and back: times as epoch microseconds, collections as JSON text. */
final class Columns {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, List<String>>> LIST_MAP = new TypeReference<>() {
    };

    private Columns() {
    }

    /** Microseconds since the epoch; records already hold whole microseconds, query bounds are truncated alike. */
    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    static Long nullableMicros(Optional<Instant> instant) {
        return instant.map(Columns::micros).orElse(null);
    }

    static Long nullable(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    static Double nullable(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }

    static OptionalLong optionalLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
    }

    static OptionalDouble optionalDouble(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(instant(value));
    }

    static Optional<String> optionalString(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    /** JSON text of a set, its elements sorted so equal sets are equal text. */
    static String json(Set<String> values) {
        return write(new TreeSet<>(values));
    }

    static String json(List<String> values) {
        return write(values);
    }

    /** JSON text of a map, its keys sorted so equal maps are equal text. */
    static String json(Map<String, String> values) {
        return write(new TreeMap<>(values));
    }

    /** JSON text of named lists (each list in its order), the names sorted so equal maps are equal text. */
    static String jsonLists(Map<String, List<String>> values) {
        return write(new TreeMap<>(values));
    }

    static Map<String, List<String>> stringLists(String json) {
        return Map.copyOf(read(json, LIST_MAP));
    }

    static Set<String> stringSet(String json) {
        return Set.copyOf(read(json, STRINGS));
    }

    static List<String> stringList(String json) {
        return List.copyOf(read(json, STRINGS));
    }

    static Map<String, String> stringMap(String json) {
        return Map.copyOf(read(json, STRING_MAP));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a column as JSON", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON column holds something else: " + e.getOriginalMessage(), e);
        }
    }

    /** The SQLSTATE of the first {@link SQLException} among the causes; empty when there is none. */
    static Optional<String> sqlState(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** SQLSTATE 23505 (both databases): a unique constraint would be broken. */
    static boolean uniqueViolation(Throwable failure) {
        return sqlState(failure).filter("23505"::equals).isPresent();
    }

    /** SQLSTATE 22003 (both databases): a number is out of its type's range. */
    static boolean outOfRange(Throwable failure) {
        return sqlState(failure).filter("22003"::equals).isPresent();
    }
}
