-- The dashboard's and SafeChat's users: a role and an encoded slow password hash (algorithm and parameters inside),
-- empty while a user has no password yet.

CREATE TABLE users (
    name          VARCHAR NOT NULL PRIMARY KEY,
    role          VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    must_change   BOOLEAN NOT NULL,
    updated_at_us BIGINT  NOT NULL
);
