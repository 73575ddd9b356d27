//! Short explanations mailed back about received mail: an unknown sender, a reply to
//! a general address, a vague subject (G9), attachments too large, someone writing
//! from an address that is not the owner's. They are marked `Auto-Submitted:
//! auto-replied` so well-behaved systems never answer them, and the pipeline sends
//! at most one of a kind per address and day.

use anyhow::Context;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MessageBuilder};
use mentorpost_model::Locale;

/// What a notice is about.
#[derive(Clone, Debug)]
pub enum Notice {
    /// To the sender: this address cannot post here.
    UnknownSender,
    /// To the sender: they wrote to an address that is no conversation.
    GeneralAddress,
    /// To the owner: someone wrote for them from an address that is not theirs; the
    /// link adds it to theirs.
    NotYourAddress { address: String, link: String },
    /// To the writer: their new thread's subject says little.
    SubjectTip { subject: String },
    /// To the writer: these files were over the size limit and were not stored.
    AttachmentsDropped { names: Vec<String> },
}

impl Notice {
    /// The rate-limit key: one notice of a kind per address and day.
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::UnknownSender => "unknown_sender",
            Notice::GeneralAddress => "general_address",
            Notice::NotYourAddress { .. } => "not_your_address",
            Notice::SubjectTip { .. } => "subject_tip",
            Notice::AttachmentsDropped { .. } => "attachments_dropped",
        }
    }
}

pub struct NoticeMail<'a> {
    /// Local part of the Message-ID (the outbox id).
    pub id: &'a str,
    pub domain: &'a str,
    pub public_url: &'a str,
    pub to: &'a str,
    pub locale: Locale,
    /// The Message-ID of the mail this answers, without angle brackets.
    pub in_reply_to: Option<&'a str>,
    pub original_subject: &'a str,
    pub notice: &'a Notice,
}

/// The complete mail, ready for the outbox.
pub fn render(n: &NoticeMail) -> anyhow::Result<String> {
    let (subject, body) = text(n);
    let from: Mailbox = format!("mentorpost <notifications@{}>", n.domain).parse().context("sender address")?;
    let to: Mailbox = n.to.parse().with_context(|| format!("notice recipient {:?}", n.to))?;
    let mut builder: MessageBuilder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}@{}>", n.id, n.domain)))
        .header(ContentType::TEXT_PLAIN)
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".to_owned(),
        ));
    if let Some(original) = n.in_reply_to.filter(|id| id.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>')) {
        builder = builder.in_reply_to(format!("<{original}>")).references(format!("<{original}>"));
    }
    let message = builder.body(body).context("building the notice")?;
    String::from_utf8(message.formatted()).context("the notice is not UTF-8")
}

fn text(n: &NoticeMail) -> (String, String) {
    let original = n.original_subject.trim();
    match (n.locale, n.notice) {
        (Locale::En, Notice::UnknownSender) => (
            "Your mail could not be posted".into(),
            format!(
                "Hello,\n\nWe received your mail \"{original}\", but it was sent from an address that is not registered for this conversation, so it was not posted.\n\nIf you take part in this mentorship, reply from the address at which you receive its mails. The person this conversation belongs to has been told, and can add this address with one click.\n\nThis is an automatic message; no need to answer it.\n"
            ),
        ),
        (Locale::Nl, Notice::UnknownSender) => (
            "Je e-mail kon niet worden geplaatst".into(),
            format!(
                "Hallo,\n\nWe hebben je e-mail \"{original}\" ontvangen, maar die kwam van een adres dat niet bij dit gesprek hoort. Daarom is hij niet geplaatst.\n\nNeem je deel aan deze mentorrelatie? Antwoord dan vanaf het adres waarop je de berichten ontvangt. De eigenaar van dit gesprek heeft bericht gekregen en kan dit adres met één klik toevoegen.\n\nDit is een automatisch bericht; je hoeft het niet te beantwoorden.\n"
            ),
        ),
        (Locale::En, Notice::GeneralAddress) => (
            "How to reply to a conversation".into(),
            format!(
                "Hello,\n\nYour mail \"{original}\" went to a general mentorpost address, so it was not posted in any conversation.\n\nTo answer in one conversation, reply to the e-mail about that conversation, or write to the reply address listed under that thread in your digest. To start a new conversation, write to your mentorship's own address, shown at the bottom of every mail about it.\n\nThis is an automatic message; no need to answer it.\n"
            ),
        ),
        (Locale::Nl, Notice::GeneralAddress) => (
            "Zo reageer je op een gesprek".into(),
            format!(
                "Hallo,\n\nJe e-mail \"{original}\" ging naar een algemeen mentorpost-adres en is daarom in geen enkel gesprek geplaatst.\n\nWil je in één gesprek reageren? Beantwoord dan de e-mail over dat gesprek, of schrijf naar het antwoordadres dat in je overzicht onder die draad staat. Een nieuw gesprek begin je via het eigen adres van je mentorrelatie, dat onderaan elke e-mail erover staat.\n\nDit is een automatisch bericht; je hoeft het niet te beantwoorden.\n"
            ),
        ),
        (Locale::En, Notice::NotYourAddress { address, link }) => (
            "A mail for your conversation came from another address".into(),
            format!(
                "Hello,\n\nWe received a mail for one of your mentorship conversations from {address}, which is not one of your addresses, so nothing was posted.\n\nIf that was you, this link adds the address to yours (it works once, for 7 days); then send the mail again:\n{link}\n\nIf it was not you, you need not do anything.\n"
            ),
        ),
        (Locale::Nl, Notice::NotYourAddress { address, link }) => (
            "Een e-mail voor je gesprek kwam van een ander adres".into(),
            format!(
                "Hallo,\n\nWe hebben een e-mail voor een van je gesprekken ontvangen vanaf {address}. Dat is niet een van jouw adressen, dus er is niets geplaatst.\n\nWas jij het? Met deze link voeg je het adres toe aan de jouwe (hij werkt één keer, 7 dagen lang); stuur de e-mail daarna opnieuw:\n{link}\n\nWas jij het niet? Dan hoef je niets te doen.\n"
            ),
        ),
        (Locale::En, Notice::SubjectTip { subject }) => (
            "Tip: a subject line that says what it is about".into(),
            format!(
                "Hello,\n\nYour new conversation has been started. Its subject \"{}\" says little about what it is about, though. A subject that names the topic (\"Preparing my first client meeting\" rather than \"Question\") helps both of you find it back later and answer it well.\n\nYou can keep writing in the conversation as it is.\n",
                subject.trim()
            ),
        ),
        (Locale::Nl, Notice::SubjectTip { subject }) => (
            "Tip: een onderwerpregel die zegt waar het over gaat".into(),
            format!(
                "Hallo,\n\nJe nieuwe gesprek is begonnen. Het onderwerp \"{}\" zegt alleen weinig over waar het over gaat. Een onderwerp dat het thema noemt (\"Voorbereiding eerste klantgesprek\" in plaats van \"Vraag\") helpt jullie allebei om het later terug te vinden en goed te beantwoorden.\n\nJe kunt gewoon verder schrijven in het gesprek.\n",
                subject.trim()
            ),
        ),
        (Locale::En, Notice::AttachmentsDropped { names }) => (
            "Some attachments were too large".into(),
            format!(
                "Hello,\n\nYour message \"{original}\" was posted, but these attachments were over the size limit and were not stored:\n\n{}\n\nYou could share them another way, for example as a link.\n",
                bullet_list(names)
            ),
        ),
        (Locale::Nl, Notice::AttachmentsDropped { names }) => (
            "Sommige bijlagen waren te groot".into(),
            format!(
                "Hallo,\n\nJe bericht \"{original}\" is geplaatst, maar deze bijlagen waren te groot en zijn niet bewaard:\n\n{}\n\nJe kunt ze op een andere manier delen, bijvoorbeeld als link.\n",
                bullet_list(names)
            ),
        ),
    }
}

fn bullet_list(names: &[String]) -> String {
    names.iter().map(|n| format!("- {n}")).collect::<Vec<_>>().join("\n")
}
