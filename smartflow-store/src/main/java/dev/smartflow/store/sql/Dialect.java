package dev.smartflow.store.sql;

/**
 * The little that differs between the two databases the same SQL runs on. Everything else (schema, upserts, queries)
 * is one text for both.
 */
enum Dialect {
    H2 {
        @Override
        String binary(String column) {
            return column; // H2 compares strings as Java's String.compareTo unless told otherwise
        }
    },
    POSTGRESQL {
        @Override
        String binary(String column) {
            return column + " COLLATE \"C\""; // the database's collation may order "a-b" and "ab" otherwise
        }
    };

    /**
     * The column as an ORDER BY term that sorts strings as Java does, so that ties are broken the same way by every
     * implementation of the contract.
     */
    abstract String binary(String column);
}
