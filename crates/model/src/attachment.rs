//! Files that come with a message, by mail or from the web: a name safe to show and
//! to send in a mail header, a content type that a download can be served with, and
//! the text of a message that is only files.

/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A file name safe to show and to send in a header: the last path part only (a
/// browser or mail client may send `C:\Users\…\plan.pdf`), no control characters and
/// no bidirectional overrides (which can make `fdp.exe` read as `exe.pdf`), no leading
/// dots. Letters of every script stay: "Łódź plan.pdf" is kept as it is.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control() && !is_bidi_control(*c)).take(MAX_NAME_CHARS).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim_start().to_owned();
    if cleaned.is_empty() { "attachment".to_owned() } else { cleaned }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The content type to store a file with: the one it came with when that is a plain
/// `type/subtype` (parameters dropped) that says more than "some bytes"; else one
/// guessed from the name's extension; else `application/octet-stream`.
pub fn content_type_for(declared: Option<&str>, name: &str) -> String {
    let declared = declared.and_then(|d| d.split(';').next()).map(|d| d.trim().to_ascii_lowercase()).filter(|d| is_plain_type(d));
    match declared {
        Some(d) if d != OCTET_STREAM => d,
        _ => guess_from_name(name).unwrap_or(OCTET_STREAM).to_owned(),
    }
}

const OCTET_STREAM: &str = "application/octet-stream";

fn is_plain_type(t: &str) -> bool {
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    t.len() <= 100 && t.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// The common files people exchange in a mentorship; anything else is served as bytes.
fn guess_from_name(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext.to_ascii_lowercase().as_str() {
        "pdf" => "application/pdf",
        "txt" | "text" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "svg" => "image/svg+xml",
        "zip" => "application/zip",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "ics" => "text/calendar",
        "eml" => "message/rfc822",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        _ => return None,
    })
}

/// The content type a download is served with: the stored one when it is on a short
/// list of types no browser runs as a page or script (images other than SVG, PDF,
/// plain text, office documents, archives, audio, video), else
/// `application/octet-stream`. Why a list of safe types rather than of dangerous ones:
/// HTML, SVG, XML, JavaScript and their many aliases can run script in our origin if a
/// browser ever renders them, and an attachment's type is whatever its sender said.
pub fn served_content_type(stored: &str) -> &'static str {
    const SAFE: [&str; 24] = [
        "application/pdf",
        "text/plain",
        "text/csv",
        "text/calendar",
        "application/rtf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/heic",
        "application/zip",
        "audio/mpeg",
        "audio/mp4",
        "video/mp4",
        "video/quicktime",
    ];
    let base = stored.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    SAFE.into_iter().find(|safe| *safe == base).unwrap_or(OCTET_STREAM)
}

/// The text of a message that is only files (as a mail with attachments and no words
/// is posted): their names, so the message reads as something in lists and mail.
pub fn files_only_text<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    format!("📎 {}", names.into_iter().collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_invisible_characters_but_keep_their_letters() {
        assert_eq!(clean_file_name("Łódź plan.pdf"), "Łódź plan.pdf");
        assert_eq!(clean_file_name("C:\\Users\\Jan\\Desktop\\cv.docx"), "cv.docx");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\r\nb\u{0}.txt"), "ab.txt");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name(".htaccess"), "htaccess");
        assert_eq!(clean_file_name(".."), "attachment");
        assert_eq!(clean_file_name("C:\\Users\\jan\\cv\u{0007}.pdf"), "cv.pdf");
        assert_eq!(clean_file_name("Zażółć gęślą jaźń.docx"), "Zażółć gęślą jaźń.docx");
        assert_eq!(clean_file_name("  "), "attachment");
        assert_eq!(clean_file_name("dir/"), "attachment");
        assert_eq!(clean_file_name(&"ż".repeat(300)).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn content_types_come_from_the_part_else_the_name() {
        assert_eq!(content_type_for(Some("text/plain; charset=utf-8"), "a.bin"), "text/plain");
        assert_eq!(content_type_for(Some("Application/PDF"), "x"), "application/pdf");
        assert_eq!(content_type_for(Some("application/octet-stream"), "plan.PDF"), "application/pdf");
        assert_eq!(content_type_for(None, "foto.jpeg"), "image/jpeg");
        assert_eq!(content_type_for(Some("bad\r\nheader: x"), "notes.txt"), "text/plain");
        assert_eq!(content_type_for(Some(""), "no-extension"), "application/octet-stream");
        assert_eq!(content_type_for(None, "archive.unknown"), "application/octet-stream");
    }

    #[test]
    fn a_message_of_files_only_names_them() {
        assert_eq!(files_only_text(["a.pdf", "Łódź.png"]), "📎 a.pdf, Łódź.png");
    }

    #[test]
    fn only_inert_types_are_served_as_themselves() {
        assert_eq!(served_content_type("image/png"), "image/png");
        assert_eq!(served_content_type("Application/PDF; name=x"), "application/pdf");
        for risky in ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/javascript", "text/x-whatever", ""] {
            assert_eq!(served_content_type(risky), "application/octet-stream", "{risky}");
        }
    }
}
