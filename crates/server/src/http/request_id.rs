//! Request ids: every request gets an `x-request-id`, returned in the answer and on
//! every log line written while it is handled (the `request` span).
//!
//! An id a client sends is kept only from a trusted reverse proxy (so one id follows a
//! request through the proxy's logs and ours); anyone else could use it to make their
//! requests look like someone else's in the log, so theirs is replaced.

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::HeaderValue;
use std::net::{IpAddr, SocketAddr};
use tower_http::request_id::{MakeRequestId, RequestId};

/// The header the id travels in, both ways.
pub const HEADER: &str = "x-request-id";

/// Longest id kept from a proxy; longer ones are replaced (they end up in every log line).
const MAX_LEN: usize = 128;

/// New ids are UUIDv7: unique without coordination between instances, and in time order.
#[derive(Clone, Copy, Default)]
pub struct MakeRequestUuidV7;

impl MakeRequestId for MakeRequestUuidV7 {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).ok().map(RequestId::new)
    }
}

/// Drops the request's `x-request-id` unless the TCP peer is one of `trusted` and the id
/// is short printable ASCII; a fresh one is made then (`SetRequestIdLayer` runs next).
pub fn keep_request_id_only_from(trusted: &[IpAddr], mut req: Request) -> Request {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let from_proxy = peer.is_some_and(|ip| trusted.contains(&ip));
    let mut values = req.headers().get_all(HEADER).iter();
    let usable = match (values.next(), values.next()) {
        (Some(id), None) => id.len() <= MAX_LEN && !id.is_empty() && id.as_bytes().iter().all(|b| b.is_ascii_graphic()),
        _ => false,
    };
    if !(from_proxy && usable) {
        req.headers_mut().remove(HEADER);
    }
    req
}

/// The span every request is handled in: its id, method and route. The route is the
/// matched template (`/mail/unsubscribe/{token}`), never the path as sent nor the query:
/// those carry tokens. A request no route matches is logged without a path.
pub fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
    tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, ids: &[&str]) -> Request {
        let mut req = Request::new(axum::body::Body::empty());
        for id in ids {
            req.headers_mut().append(HEADER, HeaderValue::from_str(id).expect("header value"));
        }
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().expect("socket address")));
        req
    }

    fn kept(req: &Request) -> Option<&str> {
        req.headers().get(HEADER).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn ids_are_kept_only_from_trusted_proxies_and_only_when_sane() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let trusted = [proxy];
        assert_eq!(kept(&keep_request_id_only_from(&trusted, request("10.0.0.2:4000", &["lb-1234"]))), Some("lb-1234"));
        assert_eq!(kept(&keep_request_id_only_from(&trusted, request("192.0.2.7:4000", &["lb-1234"]))), None);
        assert_eq!(kept(&keep_request_id_only_from(&[], request("10.0.0.2:4000", &["lb-1234"]))), None);
        assert_eq!(kept(&keep_request_id_only_from(&trusted, request("10.0.0.2:4000", &["a b"]))), None);
        assert_eq!(kept(&keep_request_id_only_from(&trusted, request("10.0.0.2:4000", &[&"x".repeat(129)]))), None);
        assert_eq!(kept(&keep_request_id_only_from(&trusted, request("10.0.0.2:4000", &["one", "two"]))), None);
        // No peer known (a router driven without a listener): nobody to trust.
        let mut bare = Request::new(axum::body::Body::empty());
        bare.headers_mut().insert(HEADER, HeaderValue::from_static("lb-1234"));
        assert_eq!(kept(&keep_request_id_only_from(&trusted, bare)), None);
    }
}
