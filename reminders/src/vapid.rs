//! The server's VAPID identity (RFC 8292): a P-256 key pair generated on first start into
//! the data directory, and the signed JWTs that prove our pushes come from it.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push::{PartialVapidSignatureBuilder, SubscriptionInfo, VapidSignature, VapidSignatureBuilder};

/// File name of the private key inside the data directory.
pub const KEY_FILE: &str = "vapid_private_key";

/// web-push signs JWTs valid for 12 h; reusing one for an hour saves an ECDSA signature
/// per push while staying far inside its lifetime.
const SIGNATURE_REUSE: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    #[error("cannot read or write the VAPID key at {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the VAPID key file {0} is not a base64url P-256 private key")]
    BadKeyFile(PathBuf),
    #[error("KITH_VAPID_SUBJECT must be a mailto: or https: URI")]
    BadSubject,
    #[error("cannot sign for endpoint: {0}")]
    Sign(String),
    #[error("no VAPID subject yet: set KITH_VAPID_SUBJECT, KITH_SMTP_FROM, or create the first account")]
    NoSubject,
}

/// The key pair. `Debug` never prints the private half.
#[derive(Clone)]
pub struct VapidKeys {
    private_b64: String,
    public: Vec<u8>,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys").field("public", &self.public_key_b64()).finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// Reads `<dir>/vapid_private_key`, or creates it (mode 0600) if absent. Two processes
    /// starting together agree on one key: only one `create_new` can win.
    pub fn load_or_create(dir: &Path) -> Result<Self, VapidError> {
        let path = dir.join(KEY_FILE);
        let io = |source| VapidError::Io { path: path.clone(), source };
        fs::create_dir_all(dir).map_err(io)?;
        match fs::read_to_string(&path) {
            Ok(text) => {
                tighten_mode(&path).map_err(io)?;
                return Self::from_private_b64(text.trim()).ok_or_else(|| VapidError::BadKeyFile(path.clone()));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let fresh = Self::generate();
        match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(mut f) => {
                f.write_all(fresh.private_b64.as_bytes()).and_then(|()| f.sync_all()).map_err(io)?;
                Ok(fresh)
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Self::load_or_create(dir),
            Err(e) => Err(io(e)),
        }
    }

    pub fn generate() -> Self {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let public = secret.public_key().to_encoded_point(false).as_bytes().to_vec();
        VapidKeys { private_b64: URL_SAFE_NO_PAD.encode(secret.to_bytes()), public }
    }

    fn from_private_b64(b64: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(b64).ok()?;
        let secret = p256::SecretKey::from_slice(&bytes).ok()?;
        let public = secret.public_key().to_encoded_point(false).as_bytes().to_vec();
        Some(VapidKeys { private_b64: b64.to_owned(), public })
    }

    /// Uncompressed P-256 point (65 bytes): the browser's `applicationServerKey`.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    pub fn public_key_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }
}

/// A key file someone made world-readable is fixed rather than refused.
fn tighten_mode(path: &Path) -> std::io::Result<()> {
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), "VAPID key file was readable by others; setting mode 0600");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The default VAPID subject when none is configured: `mailto:` with an address push
/// services accept — never a `localhost` or dotless domain (Apple refuses those).
pub fn default_subject(address: &str) -> Option<String> {
    let address = address.trim();
    let (local, domain) = address.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let local_only = domain == "localhost" || domain.ends_with(".localhost") || !domain.contains('.');
    (!local.is_empty() && !local_only && !address.contains(char::is_whitespace)).then(|| format!("mailto:{address}"))
}

/// Checks `KITH_VAPID_SUBJECT`: push services use it to contact the operator.
pub fn check_subject(subject: &str) -> Result<(), VapidError> {
    let ok = (subject.starts_with("mailto:") && subject.len() > "mailto:".len())
        || reqwest::Url::parse(subject).is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some());
    if ok {
        Ok(())
    } else {
        Err(VapidError::BadSubject)
    }
}

/// Signs VAPID JWTs, reusing one per push-service origin for a while.
pub struct VapidSigner {
    builder: PartialVapidSignatureBuilder,
    /// `None` until one is known (see [`VapidSigner::pending`]).
    subject: RwLock<Option<String>>,
    cache: Mutex<HashMap<String, (Instant, VapidSignature)>>,
}

impl VapidSigner {
    pub fn new(keys: &VapidKeys, subject: &str) -> Result<Self, VapidError> {
        check_subject(subject)?;
        let signer = Self::pending(keys)?;
        signer.set_subject(subject)?;
        Ok(signer)
    }

    /// A signer without a subject yet: nothing can be signed until [`VapidSigner::set_subject`]
    /// (the server learns its default contact address when the first account is created).
    pub fn pending(keys: &VapidKeys) -> Result<Self, VapidError> {
        let builder = VapidSignatureBuilder::from_base64_no_sub(&keys.private_b64)
            .map_err(|e| VapidError::Sign(format!("{e:?}")))?;
        Ok(VapidSigner { builder, subject: RwLock::new(None), cache: Mutex::new(HashMap::new()) })
    }

    pub fn set_subject(&self, subject: &str) -> Result<(), VapidError> {
        check_subject(subject)?;
        *self.subject.write().unwrap_or_else(|p| p.into_inner()) = Some(subject.to_owned());
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(())
    }

    pub fn subject(&self) -> Option<String> {
        self.subject.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A signature whose `aud` is the endpoint's origin (scheme, host and port).
    pub fn sign(&self, sub: &SubscriptionInfo) -> Result<VapidSignature, VapidError> {
        let subject = self.subject().ok_or(VapidError::NoSubject)?;
        let url = reqwest::Url::parse(&sub.endpoint).map_err(|e| VapidError::Sign(e.to_string()))?;
        let aud = url.origin().ascii_serialization();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((made, sig)) = cache.get(&aud) {
            if made.elapsed() < SIGNATURE_REUSE {
                return Ok(sig.clone());
            }
        }
        let mut b = self.builder.clone().add_sub_info(sub);
        b.add_claim("sub", subject.as_str());
        b.add_claim("aud", aud.as_str());
        let sig = b.build().map_err(|e| VapidError::Sign(format!("{e:?}")))?;
        cache.insert(aud, (Instant::now(), sig.clone()));
        Ok(sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_with_mode_0600_and_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let a = VapidKeys::load_or_create(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mode = fs::metadata(dir.path().join(KEY_FILE)).map(|m| m.permissions().mode() & 0o777).ok();
        assert_eq!(mode, Some(0o600));
        let b = VapidKeys::load_or_create(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(a.public_key().len(), 65);
    }

    #[test]
    fn garbage_key_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        fs::write(dir.path().join(KEY_FILE), "not a key").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(VapidKeys::load_or_create(dir.path()), Err(VapidError::BadKeyFile(_))));
    }

    #[test]
    fn default_subjects_are_never_local() {
        assert_eq!(default_subject("ada@example.org"), Some("mailto:ada@example.org".into()));
        assert_eq!(default_subject("ada@localhost"), None);
        assert_eq!(default_subject("ada@kith.localhost"), None);
        assert_eq!(default_subject("ada@intranet"), None);
        assert_eq!(default_subject("nonsense"), None);
    }

    #[test]
    fn subject_must_be_mailto_or_https() {
        assert!(check_subject("mailto:ops@example.org").is_ok());
        assert!(check_subject("https://example.org/contact").is_ok());
        assert!(check_subject("mailto:").is_err());
        assert!(check_subject("http://example.org").is_err());
        assert!(check_subject("").is_err());
    }
}
