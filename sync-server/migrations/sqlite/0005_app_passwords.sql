-- App passwords (issue 15): what phones store for CardDAV and the calendar feed. Same
-- columns as migrations/postgres/0005_app_passwords.sql. Only a SHA-256 of the password is
-- kept (it is a long random secret; see sync-server/src/auth/app_password.rs).
CREATE TABLE app_passwords (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    password_hash BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    CONSTRAINT app_passwords_password_hash_key UNIQUE (password_hash)
);
CREATE INDEX app_passwords_user_id_idx ON app_passwords (user_id);
