//! Browser push subscriptions: the `PushSubscription` JSON a browser hands us, and the
//! rules an endpoint must satisfy before we will ever POST to it.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::ids::{SubscriptionId, UserId};

/// Longest endpoint URL accepted; real push services use a few hundred bytes.
const MAX_ENDPOINT_LEN: usize = 2048;

/// `PushSubscription.toJSON()` as browsers send it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct PushSubscription {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct PushKeys {
    /// The subscriber's P-256 public key, uncompressed point, base64url.
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url.
    pub auth: String,
}

/// A subscription as stored for a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSubscription {
    pub id: SubscriptionId,
    pub user: UserId,
    pub subscription: PushSubscription,
}

/// Which endpoints we are willing to contact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// `KITH_PUSH_ALLOW_HTTP_LOOPBACK=1`: additionally allow `http://127.0.0.1:<port>` (and
    /// loopback addresses when a name resolves to one). For tests with a local push service
    /// only; real push services are always https on public addresses.
    pub allow_http_loopback: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubscriptionError {
    #[error("endpoint is not a valid URL")]
    BadEndpoint,
    #[error("endpoint must be an https:// URL")]
    NotHttps,
    /// Loopback, private, link-local, multicast, ...: see [`crate::public_addr`].
    #[error("endpoint must be on a public internet address")]
    NotPublic,
    #[error("endpoint is too long")]
    EndpointTooLong,
    #[error("keys.p256dh must be an uncompressed P-256 public key in base64url")]
    BadP256dh,
    #[error("keys.auth must be 16 bytes in base64url")]
    BadAuth,
}

impl PushSubscription {
    /// Checks everything a client controls before it is stored or used.
    pub fn validate(&self, policy: EndpointPolicy) -> Result<(), SubscriptionError> {
        policy.check_endpoint(&self.endpoint)?;
        let p256dh = decode_b64url(&self.keys.p256dh).ok_or(SubscriptionError::BadP256dh)?;
        if p256dh.len() != 65 || p256::PublicKey::from_sec1_bytes(&p256dh).is_err() {
            return Err(SubscriptionError::BadP256dh);
        }
        let auth = decode_b64url(&self.keys.auth).ok_or(SubscriptionError::BadAuth)?;
        if auth.len() != 16 {
            return Err(SubscriptionError::BadAuth);
        }
        Ok(())
    }
}

impl EndpointPolicy {
    pub fn check_endpoint(&self, endpoint: &str) -> Result<(), SubscriptionError> {
        if endpoint.len() > MAX_ENDPOINT_LEN {
            return Err(SubscriptionError::EndpointTooLong);
        }
        let url = reqwest::Url::parse(endpoint).map_err(|_| SubscriptionError::BadEndpoint)?;
        if url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
            return Err(SubscriptionError::BadEndpoint);
        }
        let loopback_test = self.allow_http_loopback && url.host_str() == Some("127.0.0.1");
        match url.scheme() {
            "https" => {}
            "http" if loopback_test => {}
            _ => return Err(SubscriptionError::NotHttps),
        }
        // The name is resolved, and every address checked, again before each send (see
        // `crate::push`); here we refuse what is already visible in the URL.
        // The URL parser has already normalised every IPv4 spelling (`0x7f.1`, `2130706433`).
        let host = url.host_str().unwrap_or_default();
        let refused = match host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
            Ok(ip) => !self.allows(ip),
            Err(_) => is_local_name(host),
        };
        if refused {
            return Err(SubscriptionError::NotPublic);
        }
        Ok(())
    }

    /// Whether the server may connect to `ip` for a push: public addresses, plus the
    /// loopback ones in the loopback test mode.
    pub fn allows(&self, ip: std::net::IpAddr) -> bool {
        crate::public_addr::is_public(ip) || (self.allow_http_loopback && ip.is_loopback())
    }
}

/// Names that always mean this machine or the local network (RFC 6761, RFC 6762, RFC 8375).
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let local_suffix = [".localhost", ".local", ".internal", ".home.arpa"].iter().any(|s| name.ends_with(s));
    name == "localhost" || local_suffix || !name.contains('.')
}

/// Browsers emit unpadded base64url; tolerate padding as some libraries add it.
pub(crate) fn decode_b64url(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).or_else(|_| URL_SAFE.decode(s)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(endpoint: &str) -> PushSubscription {
        let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key.public_key(), false);
        PushSubscription {
            endpoint: endpoint.into(),
            keys: PushKeys {
                p256dh: URL_SAFE_NO_PAD.encode(point.as_bytes()),
                auth: URL_SAFE_NO_PAD.encode([7u8; 16]),
            },
        }
    }

    #[test]
    fn https_is_required_unless_loopback_is_allowed() {
        let strict = EndpointPolicy::default();
        let loopback = EndpointPolicy { allow_http_loopback: true };
        assert_eq!(sub("https://push.example/abc").validate(strict), Ok(()));
        assert_eq!(sub("http://127.0.0.1:9000/p").validate(strict), Err(SubscriptionError::NotHttps));
        assert_eq!(sub("http://127.0.0.1:9000/p").validate(loopback), Ok(()));
        assert_eq!(sub("http://10.0.0.1:9000/p").validate(loopback), Err(SubscriptionError::NotHttps));
        assert_eq!(sub("http://localhost:9000/p").validate(loopback), Err(SubscriptionError::NotHttps));
        assert_eq!(sub("ftp://push.example/").validate(loopback), Err(SubscriptionError::NotHttps));
        assert_eq!(sub("not a url").validate(strict), Err(SubscriptionError::BadEndpoint));
        assert_eq!(sub("https://u:p@push.example/").validate(strict), Err(SubscriptionError::BadEndpoint));
    }

    #[test]
    fn endpoints_on_non_public_addresses_are_refused() {
        let strict = EndpointPolicy::default();
        for endpoint in [
            "https://127.0.0.1/p", "https://10.0.0.8/p", "https://192.168.0.1:8443/p", "https://172.20.1.1/p",
            "https://169.254.169.254/latest", "https://100.64.1.1/p", "https://0.0.0.0/p", "https://224.0.0.1/p",
            "https://[::1]/p", "https://[fe80::1]/p", "https://[fd00::1]/p", "https://[::ffff:127.0.0.1]/p",
            "https://[::]/p", "https://0x7f.1/p", "https://2130706433/p", "https://localhost/p", "https://push.localhost/p", "https://printer.local/p",
            "https://metadata.google.internal/p", "https://intranet/p", "https://router.home.arpa/p",
        ] {
            assert_eq!(sub(endpoint).validate(strict), Err(SubscriptionError::NotPublic), "{endpoint}");
        }
        // the loopback test mode opens loopback, and nothing else
        let loopback = EndpointPolicy { allow_http_loopback: true };
        assert_eq!(sub("https://127.0.0.1:9000/p").validate(loopback), Ok(()));
        assert_eq!(sub("https://10.0.0.8/p").validate(loopback), Err(SubscriptionError::NotPublic));
        assert_eq!(sub("https://[2a00:1450:4001:80b::200a]/p").validate(strict), Ok(()));
        assert_eq!(sub("https://8.8.8.8/p").validate(strict), Ok(()));
    }

    #[test]
    fn keys_are_checked() {
        let policy = EndpointPolicy::default();
        let mut s = sub("https://push.example/abc");
        s.keys.auth = URL_SAFE_NO_PAD.encode([1u8; 15]);
        assert_eq!(s.validate(policy), Err(SubscriptionError::BadAuth));
        let mut s = sub("https://push.example/abc");
        s.keys.p256dh = URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert_eq!(s.validate(policy), Err(SubscriptionError::BadP256dh));
        s.keys.p256dh = "***".into();
        assert_eq!(s.validate(policy), Err(SubscriptionError::BadP256dh));
    }
}
