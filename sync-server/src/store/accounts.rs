//! Accounts: users, their password hashes and the document each one owns.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::ids::{DocId, UserId};

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    /// PHC string (argon2id). Never logged.
    pub password_hash: String,
    pub doc_id: DocId,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// Creates the user and their (empty) document row in one transaction.
    /// `Conflict("email")` if the email is taken.
    async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        doc_id: DocId,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    async fn list_users(&self) -> StoreResult<Vec<UserRecord>>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;
    /// Removes the user and everything of theirs: sessions, documents, chunks, push
    /// subscriptions, nudges.
    async fn delete_user(&self, id: UserId) -> StoreResult<()>;
}
