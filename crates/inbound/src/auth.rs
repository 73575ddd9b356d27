//! `Authentication-Results` (RFC 8601), read for the one question the server asks:
//! did SPF or DMARC pass *for the From address's domain*?
//!
//! Rule: DMARC counts when `dmarc=pass` and `header.from` equals the From domain.
//! SPF counts when `spf=pass` and the `smtp.mailfrom` domain (the part after `@`, or
//! the whole value) equals the From domain or one is a subdomain of the other —
//! DMARC's relaxed alignment, without a public-suffix list, so a bare top-level domain
//! never aligns. Every `Authentication-Results` header is read and any aligned pass
//! counts; the receiving MTA must therefore remove such headers arriving from outside
//! with its own authserv-id (RFC 8601 §5), as Postfix/OpenDMARC, Exim and the large
//! providers do. No header: not verified.

use crate::AuthResults;

impl AuthResults {
    /// Evaluates the values of all `Authentication-Results` headers against the From
    /// address.
    pub fn evaluate(headers: &[&str], from: Option<&str>) -> AuthResults {
        let mut out = AuthResults::default();
        let Some(from_domain) = from.and_then(|f| f.rsplit_once('@')).map(|(_, d)| d.trim().trim_end_matches('>').to_ascii_lowercase())
        else {
            return out;
        };
        if from_domain.is_empty() {
            return out;
        }
        for header in headers {
            let cleaned = strip_comments(header);
            // The first element is the authserv-id.
            for resinfo in cleaned.split(';').skip(1) {
                let mut words = resinfo.split_whitespace();
                let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else { continue };
                let method = method.to_ascii_lowercase();
                if !result.eq_ignore_ascii_case("pass") {
                    continue;
                }
                let props: Vec<(String, String)> = words
                    .filter_map(|w| w.split_once('='))
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_ascii_lowercase()))
                    .collect();
                let prop = |k: &str| props.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
                match method.as_str() {
                    "dmarc" if prop("header.from").is_some_and(|d| domain_of(d) == from_domain) => out.dmarc_pass = true,
                    "spf" if prop("smtp.mailfrom").is_some_and(|d| aligned(&domain_of(d), &from_domain)) => out.spf_pass = true,
                    _ => {}
                }
            }
        }
        out
    }
}

fn domain_of(v: &str) -> String {
    let v = v.trim().trim_matches(['<', '>']);
    v.rsplit_once('@').map_or(v, |(_, d)| d).trim_end_matches('.').to_ascii_lowercase()
}

/// Equal, or one a subdomain of the other, never through a bare TLD.
fn aligned(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.contains('.') && long.ends_with(&format!(".{short}"))
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_passes_only() {
        let h = "mx.mentorpost.test; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=bounces.example.nl; dkim=pass header.d=example.nl";
        assert!(AuthResults::evaluate(&[h], Some("jan@example.nl")).spf_pass);
        assert!(!AuthResults::evaluate(&[h], Some("jan@other.nl")).sender_verified());
        let d = "mx.mentorpost.test; dmarc=pass (p=reject dis=none) header.from=Example.NL";
        assert!(AuthResults::evaluate(&[d], Some("jan@example.nl")).dmarc_pass);
        let f = "mx.mentorpost.test; spf=fail smtp.mailfrom=example.nl; dmarc=fail header.from=example.nl";
        assert!(!AuthResults::evaluate(&[f], Some("jan@example.nl")).sender_verified());
        assert!(!AuthResults::evaluate(&[], Some("jan@example.nl")).sender_verified());
        let tld = "mx; spf=pass smtp.mailfrom=nl";
        assert!(!AuthResults::evaluate(&[tld], Some("jan@example.nl")).sender_verified());
    }
}
