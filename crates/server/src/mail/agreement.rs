//! Agreement mails (F3, G3): when a mentorship is paired and whenever its agreement
//! changes, each current member who has not confirmed the current version gets the
//! agreement's text with the netiquette and safety charter, in their language, by
//! their mail mode ([`prompt_at`]: never with `off`, beside the digest for digest
//! readers, after quiet hours), with a Reply-To `agreement+TOKEN@` — replying "agree"
//! confirms (G2: e-mail alone is enough). The answers to such replies are here too.
//!
//! The mails go to members only; nothing here is logged but ids and counts.

use super::{Mailer, compose, plain_part, tokens};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::agreements::{PromptData, PromptMail, TokenTarget};
use crate::store::prompts::Member;
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use mentorpost_model::agreement::{AgreementRecord, CHARTER_VERSION, prompt_at};
use mentorpost_model::{Locale, MentorshipId, Role};

/// Queues the agreement mails of the current version for the members who have not
/// confirmed it. Returns how many were queued.
pub async fn prompt(state: &AppState, id: MentorshipId) -> anyhow::Result<usize> {
    let Some(data) = store::agreements::prompt_data(state.db.pool(), id).await.context("reading the agreement")? else { return Ok(0) };
    if data.closed {
        return Ok(0);
    }
    let now = state.clock.now();
    let mut mails = Vec::new();
    for r in &data.recipients {
        // Someone who joined after the content was written does not read it (see
        // `store::mentorships::Window`): no mail shows it to them.
        if data.status.confirmed_by(r.user_id) || r.joined_at > data.content_at {
            continue;
        }
        let tz: chrono_tz::Tz = r.timezone.parse().unwrap_or(chrono_tz::UTC);
        let Some(at) = prompt_at(r.mode, &r.settings, tz, now) else { continue };
        let token = tokens::random();
        let rendered = render_prompt(&state.mailer, id, &data, r, &token)?;
        mails.push(PromptMail { user: r.user_id, token, rendered, not_before: at });
    }
    let queued = store::agreements::queue_prompts(&state.db, id, data.version, mails, now).await.context("queuing agreement mails")?;
    tracing::info!(mentorship = %id, version = data.version, queued, "agreement mails queued");
    Ok(queued)
}

/// [`prompt`] after a change the caller already committed: a failure is logged, not
/// passed on (the change stands; the page shows what is still to confirm).
pub async fn prompt_after_change(state: &AppState, id: MentorshipId) {
    if let Err(err) = prompt(state, id).await {
        tracing::warn!(mentorship = %id, error = format!("{err:#}"), "agreement mails not queued");
    }
}

/// The agreement as text, section by section, in the reader's language: the same
/// labels as the page.
pub fn agreement_text(tr: &Tr, record: &AgreementRecord) -> String {
    let c = &record.content;
    let r = &record.rhythm;
    let nothing = tr.t("contract-nothing-yet");
    let or_nothing = |text: &str| if text.trim().is_empty() { nothing.clone() } else { text.trim().to_owned() };
    let meeting = tr.args(
        "contract-mail-schedule",
        &[
            ("text", or_nothing(&r.meeting_rhythm).as_str().into()),
            ("days", r.contact_every_days.into()),
            ("hours", r.response_within_hours.into()),
        ],
    );
    let sections: [(&str, String); 8] = [
        ("contract-goals", or_nothing(&c.goals)),
        ("contract-action-plan", or_nothing(&c.action_plan)),
        ("contract-end-date", c.end_date.map(|d| tr.date(d)).unwrap_or_else(|| nothing.clone())),
        ("contract-topics-excluded", or_nothing(&c.topics_excluded)),
        ("contract-schedule", meeting),
        ("contract-mentor-time", or_nothing(&c.mentor_time)),
        ("contract-ending-early", or_nothing(&c.ending_early)),
        ("contract-ground-rules", or_nothing(&c.ground_rules)),
    ];
    sections.iter().map(|(key, value)| format!("{}\n{value}\n", tr.t(key))).collect::<Vec<_>>().join("\n")
}

/// The charter as text: its title and rules, one per line.
pub fn charter_text(tr: &Tr) -> String {
    let rules: Vec<String> = CHARTER_RULES.iter().map(|key| format!("- {}", tr.t(key))).collect();
    format!("{}\n{}\n{}", tr.tn("charter-title", "version", CHARTER_VERSION), tr.t("charter-intro"), rules.join("\n"))
}

/// The charter's rules, in order (`contract.ftl`).
pub const CHARTER_RULES: [&str; 7] =
    ["charter-respect", "charter-confidential", "charter-consent", "charter-safe", "charter-honest", "charter-boundaries", "charter-help"];

fn render_prompt(mailer: &Mailer, id: MentorshipId, data: &PromptData, r: &Member, token: &str) -> anyhow::Result<String> {
    let tr = Tr::new(r.locale, &r.timezone);
    let others = data.recipients.iter().filter(|o| o.user_id != r.user_id).map(|o| o.display_name.as_str()).collect::<Vec<_>>().join(", ");
    let link = format!("{}/mentorships/{id}#agreement", mailer.public_url);
    let goals_owner = if r.role == Role::Mentee { tr.t("contract-mail-goals-yours") } else { tr.t("contract-mail-goals-mentee") };
    let body = tr.args(
        "contract-mail-body",
        &[
            ("name", r.display_name.as_str().into()),
            ("other", others.as_str().into()),
            ("version", data.version.into()),
            ("who", goals_owner.as_str().into()),
            ("text", agreement_text(&tr, &data.record).as_str().into()),
            ("title", charter_text(&tr).as_str().into()),
            ("link", link.as_str().into()),
        ],
    );
    let subject = tr.tn("contract-mail-subject", "version", data.version);
    let to = Mailbox::new(Some(compose::header_text(&r.display_name)), r.email.parse().context("recipient address")?);
    let reply_to: Mailbox = format!("agreement+{token}@{}", mailer.domain).parse().context("the agreement's reply address")?;
    let message = mailer
        .builder()
        .reply_to(reply_to)
        .to(to)
        .subject(compose::header_text(&subject))
        .singlepart(plain_part(body + "\n"))
        .context("building the agreement mail")?;
    String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
}

/// What a reply to an agreement mail came to.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// Confirmed (or already confirmed): `all` when every member has now.
    Confirmed { version: i64, all: bool },
    /// "agree" to a version that is no longer the current one.
    Stale,
    /// Not an "agree".
    Unclear,
}

/// Everything the answer to a reply needs.
pub struct AnswerMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub locale: Locale,
    pub timezone: &'a str,
    pub mentorship: MentorshipId,
    /// The reply's Message-ID, without angle brackets, to thread under it.
    pub in_reply_to: Option<&'a str>,
    pub answer: Answer,
    /// The members still to confirm, by name.
    pub waiting: &'a str,
    /// The reply address of the answer (so it can be answered in turn).
    pub token: &'a str,
}

/// The short mail that answers a reply to an agreement mail (`Auto-Submitted:
/// auto-replied`, threaded under the reply).
pub fn render_answer(mailer: &Mailer, m: &AnswerMail) -> anyhow::Result<String> {
    let tr = Tr::new(m.locale, m.timezone);
    let link = format!("{}/mentorships/{}#agreement", mailer.public_url, m.mentorship);
    let (subject, body) = match m.answer {
        Answer::Confirmed { version, all } => {
            let rest = if all { tr.t("contract-mail-all-confirmed") } else { tr.ts("contract-mail-waiting", "names", m.waiting) };
            (
                tr.t("contract-mail-confirmed-subject"),
                tr.args(
                    "contract-mail-confirmed-body",
                    &[
                        ("name", m.to_name.into()),
                        ("version", version.into()),
                        ("text", rest.as_str().into()),
                        ("link", link.as_str().into()),
                    ],
                ),
            )
        }
        Answer::Stale => (
            tr.t("contract-mail-stale-subject"),
            tr.args("contract-mail-stale-body", &[("name", m.to_name.into()), ("link", link.as_str().into())]),
        ),
        Answer::Unclear => (
            tr.t("contract-mail-unclear-subject"),
            tr.args("contract-mail-unclear-body", &[("name", m.to_name.into()), ("link", link.as_str().into())]),
        ),
    };
    let to = Mailbox::new(Some(compose::header_text(m.to_name)), m.to_email.parse().context("recipient address")?);
    let reply_to: Mailbox = format!("agreement+{}@{}", m.token, mailer.domain).parse().context("the agreement's reply address")?;
    let mut builder = Mailer::answer_builder(mailer).reply_to(reply_to).to(to).subject(compose::header_text(&subject));
    if let Some(original) = m.in_reply_to.filter(|id| id.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>')) {
        builder = builder.in_reply_to(format!("<{original}>")).references(format!("<{original}>"));
    }
    let message = builder.singlepart(plain_part(body + "\n")).context("building the agreement answer")?;
    String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
}

impl Mailer {
    /// Like `builder`, marked as an answer to a received mail (`auto-replied`), so no
    /// responder answers it in turn.
    pub(crate) fn answer_builder(&self) -> lettre::message::MessageBuilder {
        lettre::message::Message::builder()
            .from(self.from.clone())
            .message_id(Some(format!("<{}@{}>", uuid::Uuid::now_v7().simple(), self.domain)))
            .date_now()
            .raw_header(lettre::message::header::HeaderValue::new(
                lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-replied".to_owned(),
            ))
    }
}

/// Answers a reply to an agreement mail: queues the answer (an unclear reply at most
/// once a day per address) with a fresh reply token for the same person and version.
pub async fn answer(
    state: &AppState,
    target: TokenTarget,
    answer: Answer,
    in_reply_to: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let pool = state.db.pool();
    let Some(person) = store::users::get(pool, target.user_id).await.context("reading the member")? else { return Ok(()) };
    if matches!(answer, Answer::Unclear)
        && !store::inbound::claim_notice(&state.db, person.email.clone(), "agreement_unclear", now).await.context("rate limit")?
    {
        return Ok(());
    }
    let waiting = match store::agreements::status(pool, target.mentorship_id).await.context("reading the agreement")? {
        Some(status) => status.confirmations.iter().filter(|c| !c.current).map(|c| c.display_name.clone()).collect::<Vec<_>>().join(", "),
        None => String::new(),
    };
    let token = tokens::random();
    let rendered = render_answer(
        &state.mailer,
        &AnswerMail {
            to_name: &person.display_name,
            to_email: &person.email,
            locale: person.locale,
            timezone: &person.timezone,
            mentorship: target.mentorship_id,
            in_reply_to,
            answer,
            waiting: &waiting,
            token: &token,
        },
    )?;
    store::agreements::remember_token(&state.db, target, token, now).await.context("remembering the reply token")?;
    let id = uuid::Uuid::now_v7().simple().to_string();
    store::inbound::queue_notice(&state.db, id, Some(person.id), person.email.clone(), rendered, now)
        .await
        .context("queuing the answer")?;
    Ok(())
}
