//! Who is at the other end: the peer's address, or, when the peer is one of
//! the configured trusted proxies, the client address it forwards
//! (`X-Forwarded-For`, read from the right past trusted hops) and whether the
//! client used TLS (`X-Forwarded-Proto`). Headers from anyone else are
//! ignored: they are the client's to forge.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use ipnet::IpNet;
use shanzhi_app::access::Client;

use crate::AppState;

/// The client as far as the server can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    /// The client reached a trusted proxy over TLS.
    pub https: bool,
}

impl ClientInfo {
    pub fn client(&self) -> Client {
        Client { ip: self.ip }
    }

    /// From the peer address and headers, trusting only `proxies`.
    pub fn resolve(peer: Option<IpAddr>, headers: &axum::http::HeaderMap, proxies: &[IpNet]) -> ClientInfo {
        let trusted = |ip: &IpAddr| proxies.iter().any(|n| n.contains(ip));
        let Some(peer) = peer else { return ClientInfo::default() };
        if !trusted(&peer) {
            return ClientInfo { ip: Some(peer), https: false };
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .take(32)
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        let ip = forwarded.iter().rev().find(|ip| !trusted(ip)).copied().or(forwarded.first().copied()).unwrap_or(peer);
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        ClientInfo { ip: Some(ip), https }
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientInfo::resolve(peer, &parts.headers, &state.trusted_proxies))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;

    use super::*;

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.9, 198.51.100.7, 10.0.0.2".parse().expect("value"));
        h.insert("x-forwarded-proto", "https".parse().expect("value"));
        let from_proxy = ClientInfo::resolve(Some("10.0.0.1".parse().expect("ip")), &h, &proxies);
        assert_eq!(from_proxy.ip, Some("198.51.100.7".parse().expect("ip")), "the rightmost untrusted hop");
        assert!(from_proxy.https);
        let direct = ClientInfo::resolve(Some("192.0.2.5".parse().expect("ip")), &h, &proxies);
        assert_eq!(
            (direct.ip, direct.https),
            (Some("192.0.2.5".parse().expect("ip")), false),
            "forged headers ignored"
        );
        assert_eq!(ClientInfo::resolve(None, &h, &proxies), ClientInfo::default());
    }
}
