//! Delivery status reports (RFC 3464, `multipart/report; report-type=delivery-status`).

use mail_parser::Message;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    pub recipients: Vec<FailedRecipient>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRecipient {
    /// The address that failed (`Final-Recipient`), lower-cased.
    pub address: String,
    /// The status code, e.g. `5.1.1`.
    pub status: String,
    /// `5.x.x`: permanent; `4.x.x`: temporary.
    pub permanent: bool,
    pub diagnostic: Option<String>,
}

pub fn parse(_msg: &Message) -> Option<DeliveryReport> {
    None
}
