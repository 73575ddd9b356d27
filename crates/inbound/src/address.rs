//! Tagged addresses: `reply+TOKEN@DOMAIN`, `mentorship+TOKEN@DOMAIN`,
//! `bounce+TOKEN@DOMAIN`.

/// Splits `kind+token@domain` when the domain is `domain` (case-insensitive):
/// returns (kind, token), both lower-cased. Mail systems may change the case of a
/// local part, so tokens are case-free.
pub fn tagged(address: &str, domain: &str) -> Option<(String, String)> {
    let (local, dom) = address.trim().rsplit_once('@')?;
    if !dom.eq_ignore_ascii_case(domain.trim()) {
        return None;
    }
    let (kind, token) = local.split_once('+')?;
    if kind.is_empty() || token.is_empty() {
        return None;
    }
    Some((kind.to_ascii_lowercase(), token.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tag_on_our_domain_only() {
        assert_eq!(tagged("Reply+AbC@Mail.Example.org", "mail.example.org"), Some(("reply".into(), "abc".into())));
        assert_eq!(tagged("reply+abc@other.org", "mail.example.org"), None);
        assert_eq!(tagged("reply@mail.example.org", "mail.example.org"), None);
    }
}
