//! The push client's DNS resolver: it resolves an endpoint's host and hands the HTTP client
//! only addresses the policy allows, refusing the name outright if any address is not
//! public. Because the addresses checked are the very ones connected to, a name that
//! answers with a public address at registration and a private one at send time (DNS
//! rebinding) cannot reach the private network. IP-literal hosts never reach a resolver;
//! `EndpointPolicy::check_endpoint` checks those before every send.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::subscription::EndpointPolicy;

/// Resolves a host name to addresses (the port is ignored): the system resolver in
/// production, a fixed table in tests.
pub type Lookup = Arc<dyn Fn(String) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> + Send + Sync>;

/// A push endpoint's name resolved to an address the server must not contact.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("push endpoint host {host} resolves to a non-public address ({addr}); refusing to connect")]
pub struct NonPublicAddress {
    pub host: String,
    pub addr: String,
}

pub struct PublicOnlyResolver {
    policy: EndpointPolicy,
    lookup: Lookup,
}

impl PublicOnlyResolver {
    pub fn new(policy: EndpointPolicy, lookup: Lookup) -> Self {
        PublicOnlyResolver { policy, lookup }
    }

    /// The system resolver (getaddrinfo, off the async threads).
    pub fn system(policy: EndpointPolicy) -> Self {
        let lookup: Lookup = Arc::new(|host: String| {
            Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) })
        });
        Self::new(policy, lookup)
    }
}

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (policy, lookup, host) = (self.policy, self.lookup.clone(), name.as_str().to_owned());
        Box::pin(async move {
            let addrs = lookup(host.clone()).await?;
            let allowed = allowed_addresses(&host, &addrs, policy)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// `addrs` if every one of them is allowed; otherwise the first that is not. All, not some:
/// an attacker's name may answer with a public and a private address, and the client would
/// try the private one when the public one does not answer.
pub fn allowed_addresses(
    host: &str,
    addrs: &[SocketAddr],
    policy: EndpointPolicy,
) -> Result<Vec<SocketAddr>, NonPublicAddress> {
    if let Some(bad) = addrs.iter().find(|a| !policy.allows(a.ip())) {
        return Err(NonPublicAddress { host: host.to_owned(), addr: bad.ip().to_string() });
    }
    Ok(addrs.to_vec())
}

/// Whether a failed request failed because the resolver refused the endpoint's addresses.
pub fn refused_address<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a NonPublicAddress> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(refused) = e.downcast_ref::<NonPublicAddress>() {
            return Some(refused);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|ip| SocketAddr::new(ip.parse().expect("ip"), 443)).collect()
    }

    #[test]
    fn every_resolved_address_must_be_public() {
        let strict = EndpointPolicy::default();
        let public = addrs(&["142.250.185.74", "2a00:1450:4001:80b::200a"]);
        assert_eq!(allowed_addresses("push.example", &public, strict), Ok(public.clone()));
        for bad in ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::5", "::ffff:192.168.1.1", "100.100.0.1"] {
            let mixed = addrs(&["142.250.185.74", bad]);
            let err = allowed_addresses("push.example", &mixed, strict).expect_err(bad);
            assert_eq!(err.addr, bad.parse::<std::net::IpAddr>().expect("ip").to_string());
        }
    }

    #[test]
    fn loopback_mode_allows_loopback_only() {
        let loopback = EndpointPolicy { allow_http_loopback: true };
        assert!(allowed_addresses("localhost", &addrs(&["127.0.0.1", "::1"]), loopback).is_ok());
        assert!(allowed_addresses("evil.example", &addrs(&["192.168.0.10"]), loopback).is_err());
    }
}
