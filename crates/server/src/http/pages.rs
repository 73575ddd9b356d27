//! The HTML pages the server sends, rendered from the templates in
//! `templates/pages/` (compile-time checked; every value escaped by askama). Each page
//! gets the browser protections of [`super::html_security_headers`]; none carries an
//! inline script.

use crate::error::ApiError;
use askama::Template;
use axum::response::Html;

/// Renders a page; a failure (a value's `Display` failing) is an internal error.
pub fn render(page: &impl Template) -> Result<Html<String>, ApiError> {
    page.render().map(Html).map_err(|err| ApiError::Internal(anyhow::Error::new(err).context("rendering a page")))
}

/// The page behind a mail's unsubscribe link: a button that posts the one-click form.
#[derive(Template)]
#[template(path = "pages/unsubscribe.html")]
pub struct Unsubscribe<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub text: &'a str,
    pub button: &'a str,
}

/// The page behind a mailed "add this address" link: the sentence around the address
/// (shown in bold) and a button.
#[derive(Template)]
#[template(path = "pages/add_address.html")]
pub struct AddAddress<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub before: &'a str,
    pub address: &'a str,
    pub after: &'a str,
    pub button: &'a str,
}

/// One sentence after an action (unsubscribed, address added).
#[derive(Template)]
#[template(path = "pages/notice.html")]
pub struct Notice<'a> {
    pub lang: &'a str,
    pub text: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "Çağrı <script>alert(\"x\")</script> & 'y'";
    const ESCAPED: &str = "Çağrı &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;y&#39;";

    fn check(label: &str, html: String) {
        assert!(html.contains(ESCAPED), "{label}: escaped value expected in {html}");
        for raw in ["<script>", "\"x\"", "'y'", " & "] {
            assert!(!html.contains(raw), "{label}: {raw:?} unescaped in {html}");
        }
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\""), "{label}: {html}");
    }

    #[test]
    fn every_page_escapes_every_value() {
        let e = EVIL;
        let render = |t: &dyn askama::DynTemplate| t.dyn_render().expect("renders");
        check("unsubscribe", render(&Unsubscribe { lang: "en", title: e, text: e, button: e }));
        check("add address", render(&AddAddress { lang: "en", title: e, before: e, address: e, after: e, button: e }));
        check("notice", render(&Notice { lang: "en", text: e }));
        // The language goes into an attribute: it cannot end it either.
        let html = render(&Notice { lang: "en\" onload=\"x", text: "t" });
        assert!(html.contains("<html lang=\"en&#34; onload=&#34;x\">"), "{html}");
    }

    #[test]
    fn pages_carry_no_inline_script() {
        let pages = [
            Unsubscribe { lang: "nl", title: "t", text: "x", button: "b" }.render(),
            AddAddress { lang: "nl", title: "t", before: "a", address: "b@example.org", after: "c", button: "b" }.render(),
            Notice { lang: "en", text: "x" }.render(),
        ];
        for page in pages {
            let page = page.expect("renders");
            assert!(!page.contains("<script"), "{page}");
        }
    }
}
