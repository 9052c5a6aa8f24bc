//! Who is asking: bearer tokens, the `AuthUser` extractor, password hashing, email
//! normalisation, the login and sign-up limiters, and the cache of confirmed sessions.

pub mod app_password;
mod email;
mod extract;
mod hash_pool;
mod limiter;
mod password;
mod recent;
mod session_cache;
mod signup_limiter;
mod token;

pub use email::{is_plausible_email, normalize_email};
pub use extract::{AuthUser, ClientIp};
pub use limiter::{Attempt, LimitPolicy, LoginLimiter};
pub use password::{refuse_oversized, Passwords, Verified, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
pub use session_cache::{CachedSession, FillPermit, SessionCache};
pub use signup_limiter::SignupLimiter;
pub use token::{hash_token, new_token, NewToken};
