//! Turning driver errors into [`StoreError`]s by constraint name, never by message text.

use sqlx::error::ErrorKind;

use crate::store::StoreError;

/// Unique constraints (as named in migrations/postgres) and the field a caller reports.
const UNIQUE: &[(&str, &str)] = &[
    ("users_email_key", "email"),
    ("users_doc_id_key", "doc_id"),
    ("users_pkey", "user_id"),
    ("documents_pkey", "doc_id"),
    ("sessions_pkey", "session_id"),
    ("sessions_token_hash_key", "token_hash"),
    ("calendar_feeds_secret_hash_key", "secret_hash"),
];

/// Unique violations become `Conflict(<field>)`; a missing parent row (foreign key) becomes
/// `NotFound`, as on SQLite. Everything else stays a `Database` error for the 500 path.
pub(super) fn map(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                let name = db.constraint().unwrap_or_default();
                let field = UNIQUE
                    .iter()
                    .find(|(constraint, _)| *constraint == name)
                    .map_or("unique", |(_, field)| *field);
                return StoreError::Conflict(field);
            }
            ErrorKind::ForeignKeyViolation => return StoreError::NotFound,
            _ => {}
        }
    }
    StoreError::Database(err)
}
