-- Kith on SQLite: accounts, sessions, documents and their content-addressed chunks.
-- Same tables and columns as migrations/postgres/0001_init.sql. Timestamps are INTEGER
-- milliseconds since the Unix epoch (UTC); uuids are TEXT; document ids and hashes BLOBs.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    doc_id        BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_doc_id_key UNIQUE (doc_id)
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_hash   BLOB NOT NULL,
    device_name  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE documents (
    id         BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX documents_user_id_idx ON documents (user_id);

CREATE TABLE doc_chunks (
    -- rowid alias: insertion order, so a document loads in the order it was written
    seq    INTEGER PRIMARY KEY,
    doc_id BLOB NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL CHECK (kind IN ('incremental', 'snapshot')),
    -- SHA-256 of bytes: the same chunk written twice (two instances) is stored once
    hash   BLOB NOT NULL,
    bytes  BLOB NOT NULL,
    CONSTRAINT doc_chunks_doc_id_hash_key UNIQUE (doc_id, hash)
);
