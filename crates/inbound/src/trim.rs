//! Splitting quoted history and signatures off a reply's text.

/// A reply's text, split: `kept` is posted, `trimmed` is kept with the message so its
/// readers can expand it — nothing the sender wrote is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trimmed {
    pub kept: String,
    pub trimmed: Option<String>,
}

pub fn trim(text: &str) -> Trimmed {
    Trimmed { kept: text.trim().to_owned(), trimmed: None }
}
