-- Kith on PostgreSQL: accounts, sessions, documents and their content-addressed chunks.
-- Same tables and columns as migrations/sqlite/0001_init.sql; constraint names matter
-- because unique violations are reported to callers by name.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    doc_id        BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_doc_id_key UNIQUE (doc_id)
);

CREATE TABLE sessions (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_hash   BYTEA NOT NULL,
    device_name  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- One row per Automerge document; compaction locks this row (SELECT ... FOR UPDATE).
CREATE TABLE documents (
    id         BYTEA PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_user_id_idx ON documents (user_id);

CREATE TABLE doc_chunks (
    -- insertion order, so a document loads in the order it was written
    seq     BIGSERIAL PRIMARY KEY,
    doc_id  BYTEA NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('incremental', 'snapshot')),
    -- SHA-256 of bytes: the same chunk written twice (two instances) is stored once
    hash    BYTEA NOT NULL,
    bytes   BYTEA NOT NULL,
    CONSTRAINT doc_chunks_doc_id_hash_key UNIQUE (doc_id, hash)
);
