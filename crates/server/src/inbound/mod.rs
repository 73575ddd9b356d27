//! E-mail in: one pipeline behind three doors — the SMTP listener (`smtp`), the HTTP
//! endpoint `POST /api/v1/inbound/email` and `mentorpost inbound` for an MTA pipe.
//!
//! `receive` takes a raw RFC 5322 mail and decides, in this order: unreadable →
//! stored as failed; seen before → nothing; a delivery or feedback report → bounce
//! scoring (a complaint pauses at once; a report that maps to nobody is kept as
//! failed for an admin; never answered; mail to postmaster excepted); from our own
//! domain → dropped (loop guard); to postmaster → forwarded to the admins; the null
//! sender → recorded, never posted; automatic → recorded, never answered;
//! otherwise routed by the token in its address (or, when a client dropped the
//! `+token`, by `References`), checked against the owner's verified addresses, and
//! posted with its quoted part and attachments in one transaction. Parsing is the
//! pure `mentorpost-inbound` crate; everything here is routing and storage.

pub mod notices;
pub mod smtp;

use crate::db::StoreError;
use crate::error::ApiError;
use crate::mail::tokens::{TokenKind, looks_like_token};
use crate::state::AppState;
use crate::store;
use crate::store::inbound::{Destination, MailedMessage, NewAttachment, Outcome, Record};
use crate::store::threads::NewMessage;
use chrono::{DateTime, Duration, Utc};
use mentorpost_inbound::{InboundMail, Limits, address::tagged};
use mentorpost_model::attachment::{clean_file_name, files_only_text};
use mentorpost_model::forms::{Form, ParsedReply};
use mentorpost_model::mail::MailMode;
use mentorpost_model::{ClientMsgId, Locale, MentorshipId, MessageBody, MessageId, MessageSource, Refusal, Subject, ThreadId, UserId};
use notices::Notice;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How a mail reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Smtp,
    Http,
    Pipe,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Smtp => "smtp",
            Via::Http => "http",
            Via::Pipe => "pipe",
        }
    }
}

/// One delivery: the raw mail and, when known, its SMTP envelope.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub raw: Vec<u8>,
    pub via: Via,
    pub envelope_from: Option<String>,
    pub envelope_to: Vec<String>,
}

/// What the pipeline did with a mail (the HTTP endpoint's answer).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// posted | thread_created | checkin_answer | automatic | bounce | rejected | failed | unsubscribed | duplicate | invitation_accepted
    /// | actions_done | agreement_confirmed | form_answered | notice_accepted | postmaster
    pub outcome: String,
    /// Why nothing was posted, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<ThreadId>,
}

impl Receipt {
    fn of(outcome: &str, reason: Option<String>) -> Receipt {
        Receipt { outcome: outcome.to_owned(), reason, message_id: None, thread_id: None }
    }
}

pub use crate::config::InboundLimits;

/// Where a mail goes, found from its addresses or references.
#[derive(Clone, Debug)]
enum Route {
    /// A reply into a thread by the token's owner.
    Reply { owner: UserId, thread: ThreadId },
    /// A new thread by the owner of a `mentorship+TOKEN` address.
    NewThread { owner: UserId, mentorship: MentorshipId },
    /// A thread named only by `References`: the sender must be a member.
    ThreadByReference { thread: ThreadId },
    /// `mailto:` unsubscribe from a List-Unsubscribe header.
    Unsubscribe { owner: UserId, mentorship: MentorshipId },
    /// Mail to `bounce+TOKEN` that is not a readable report.
    BounceAddress,
    /// A reply to an invitation (`invite+TOKEN`): "yes" accepts it for e-mail only.
    Invitation { token: String },
    /// A reply to an agreement mail (`agreement+TOKEN`): "agree" confirms the agreement.
    Agreement { token: String },
    /// A reply to a form mail (`form+TOKEN`): the answers under its questions fill the form.
    Form { token: String },
    /// A reply to a new privacy notice (`privacy+TOKEN`): "agree" records the consent.
    Privacy { token: String },
    /// One of our addresses that is no conversation (a digest's sender, say).
    General,
}

/// Receives one mail. `Err` only when it could not be stored (the database is away):
/// the caller answers with a temporary failure so the sender retries. Logged inside an
/// `inbound_mail` span naming the mail by its dedup key (a hash, as stored with the
/// record): never its subject, addresses or text.
#[tracing::instrument(name = "inbound_mail", skip_all, fields(via = %delivery.via.as_str(), bytes = delivery.raw.len(), key = tracing::field::Empty))]
pub async fn receive(state: &AppState, delivery: Delivery) -> Result<Receipt, ApiError> {
    let received = store_and_route(state, delivery).await;
    let outcome = received.as_ref().map_or_else(|_| "error".to_owned(), |r| r.outcome.clone());
    metrics::counter!("mentorpost_inbound_mails_total", "outcome" => outcome).increment(1);
    if received.as_ref().is_ok_and(|r| r.outcome == "bounce") {
        metrics::counter!("mentorpost_mail_bounces_total").increment(1);
    }
    received
}

async fn store_and_route(state: &AppState, delivery: Delivery) -> Result<Receipt, ApiError> {
    let now = state.clock.now();
    let limits = state.config.inbound;
    let raw_until = now + Duration::days(limits.keep_raw_days);
    let base = Record {
        dedup_key: String::new(),
        via: delivery.via.as_str(),
        envelope_from: delivery.envelope_from.clone(),
        from_address: None,
        outcome: Outcome::Failed,
        reason: None,
        user_id: None,
        raw: delivery.raw.clone(),
        raw_until,
        received_at: now,
    };
    let mail = match mentorpost_inbound::parse_with(&delivery.raw, Limits { max_bytes: limits.max_bytes }) {
        Ok(mail) => mail,
        Err(err) => {
            let reason = err.to_string();
            let key = format!("raw:{}", hex::encode(Sha256::digest(&delivery.raw)));
            tracing::Span::current().record("key", key.as_str());
            tracing::warn!(%reason, "unreadable mail stored as failed");
            let fresh = store::inbound::record(&state.db, Record { dedup_key: key, reason: Some(reason.clone()), ..base }).await?;
            return Ok(if fresh { Receipt::of("failed", Some(reason)) } else { Receipt::of("duplicate", None) });
        }
    };
    tracing::Span::current().record("key", mail.dedup_key.as_str());
    let base = Record { dedup_key: mail.dedup_key.clone(), from_address: mail.from.as_ref().map(|f| f.address.to_lowercase()), ..base };
    if store::inbound::seen(state.db.pool(), &mail.dedup_key).await?.is_some() {
        tracing::info!("mail received before; ignored");
        return Ok(Receipt::of("duplicate", None));
    }
    let pipeline = Pipeline { state, mail: &mail, delivery: &delivery, base, now };
    pipeline.run().await
}

struct Pipeline<'a> {
    state: &'a AppState,
    mail: &'a InboundMail,
    delivery: &'a Delivery,
    base: Record,
    now: DateTime<Utc>,
}

impl Pipeline<'_> {
    async fn run(self) -> Result<Receipt, ApiError> {
        let domain = self.state.config.mail_domain.clone();
        let from = self.base.from_address.clone().unwrap_or_default();
        // A report first, whatever address it came from or was sent to (our own MTA's
        // MAILER-DAEMON may write from our domain): it is never posted or answered.
        // Mail to postmaster is the exception: it all goes to the admins.
        let to_postmaster = self.to_postmaster(&domain);
        if !to_postmaster && let Some(report) = &self.mail.report {
            return self.bounce(report).await;
        }
        if from.rsplit_once('@').is_some_and(|(_, d)| d.eq_ignore_ascii_case(&domain)) {
            return self.finish(Outcome::Automatic, "loop guard: mail from the service's own address", None).await;
        }
        if to_postmaster {
            return self.forward_to_admins(&domain).await;
        }
        // The null reverse-path (`MAIL FROM:<>`) is what delivery reports and other
        // automatic mail use (RFC 5321 4.5.5): never a person writing.
        if self.delivery.envelope_from.as_deref() == Some("") {
            return self.finish(Outcome::Bounce, "null sender: automatic mail that is not a readable delivery report", None).await;
        }
        if let Some(auto) = &self.mail.automatic {
            let reason = format!("automatic mail ({})", auto.reason());
            return self.finish(Outcome::Automatic, &reason, None).await;
        }
        let Some(route) = self.route(&domain).await? else {
            return self.finish(Outcome::Rejected, "not addressed to any conversation", None).await;
        };
        // "done 3" to a conversation address ticks actions off instead of posting.
        let done = mentorpost_model::session::parse_done(&plain_text(&self.mail.body.kept));
        match (&route, done) {
            (Route::Reply { owner, thread }, Some(numbers)) => {
                let mentorship =
                    store::mentorships::access_by_thread(self.state.db.pool(), *thread, *owner).await?.map(|(a, _)| a.mentorship_id);
                if let Some(mentorship) = mentorship {
                    return self.tick_actions(*owner, mentorship, numbers).await;
                }
            }
            (Route::NewThread { owner, mentorship }, Some(numbers)) => return self.tick_actions(*owner, *mentorship, numbers).await,
            _ => {}
        }
        match route {
            Route::Reply { owner, thread } => self.post_as(owner, Destination::Thread(thread), true).await,
            Route::NewThread { owner, mentorship } => {
                let Some((subject, vague)) = thread_subject(&self.mail.subject, &self.mail.body.kept) else {
                    return self.finish(Outcome::Rejected, "no usable subject", Some(owner)).await;
                };
                let receipt = self.post_as(owner, Destination::NewThread { mentorship, subject }, true).await?;
                if vague && receipt.outcome == "thread_created" {
                    self.notice_to_user(owner, Notice::SubjectTip { subject: self.mail.subject.clone() }).await?;
                }
                Ok(receipt)
            }
            Route::ThreadByReference { thread } => match store::inbound::user_by_address(self.state.db.pool(), &from).await? {
                Some(owner) => self.post_as(owner, Destination::Thread(thread), false).await,
                None => {
                    self.explain_to_sender(Notice::UnknownSender).await?;
                    self.finish(Outcome::Rejected, "sender is not a known participant", None).await
                }
            },
            Route::Unsubscribe { owner, mentorship } => {
                if !store::inbound::is_verified_address(self.state.db.pool(), owner, &from).await? {
                    return self.finish(Outcome::Rejected, "unsubscribe from an address that is not the owner's", Some(owner)).await;
                }
                store::mail::set_mentorship_mode(&self.state.db, owner, mentorship, Some(MailMode::Off), self.now).await?;
                tracing::info!(user = %owner, %mentorship, "unsubscribed by mail");
                self.finish(Outcome::Automatic, "unsubscribe request carried out", Some(owner)).await.map(|mut r| {
                    r.outcome = "unsubscribed".into();
                    r
                })
            }
            Route::BounceAddress => self.finish(Outcome::Bounce, "mail to the bounce address that is not a delivery report", None).await,
            Route::Invitation { token } => self.answer_invitation(&token).await,
            Route::Agreement { token } => self.answer_agreement(&token).await,
            Route::Form { token } => self.answer_form(&token).await,
            Route::Privacy { token } => self.answer_privacy(&token).await,
            Route::General => {
                self.explain_to_sender(Notice::GeneralAddress).await?;
                self.finish(Outcome::Rejected, "sent to a general address, not to a conversation", None).await
            }
        }
    }

    /// Whether the mail was delivered to `postmaster` (RFC 5321 4.5.1), by envelope, or
    /// by its headers when there is no envelope.
    fn to_postmaster(&self, domain: &str) -> bool {
        let is_postmaster = |a: &String| {
            a.rsplit_once('@').is_some_and(|(local, d)| local.eq_ignore_ascii_case("postmaster") && d.eq_ignore_ascii_case(domain))
        };
        if self.delivery.envelope_to.is_empty() {
            self.mail.recipients.iter().any(is_postmaster)
        } else {
            self.delivery.envelope_to.iter().any(is_postmaster)
        }
    }

    /// Mail to postmaster is for the people who run the instance: each admin gets it,
    /// attached as it came; it is recorded for the admin's list of received mail.
    async fn forward_to_admins(&self, domain: &str) -> Result<Receipt, ApiError> {
        let admins = store::inbound::admins(self.state.db.pool()).await?;
        let receipt = self.finish(Outcome::Postmaster, "mail to postmaster, forwarded to the admins", None).await?;
        if receipt.outcome == "duplicate" {
            return Ok(receipt);
        }
        // The envelope names the sender as its server saw it; the header is the fallback.
        let from = match self.delivery.envelope_from.as_deref() {
            Some(envelope) if !envelope.is_empty() => envelope.to_owned(),
            _ => self.base.from_address.clone().unwrap_or_default(),
        };
        for (admin, address, locale) in admins {
            let id = uuid::Uuid::now_v7().simple().to_string();
            let rendered = notices::render_postmaster(&notices::PostmasterMail {
                id: &id,
                domain,
                to: &address,
                locale: Locale::parse(&locale).unwrap_or_default(),
                from: &from,
                subject: &self.mail.subject,
                raw: &self.delivery.raw,
            })
            .map_err(ApiError::Internal)?;
            store::inbound::queue_notice(&self.state.db, id, Some(admin), address, rendered, self.now).await?;
        }
        Ok(receipt)
    }

    /// A reply to an invitation mail: from the invited address, saying "yes" (or "ja")
    /// on its first line, it accepts the invitation for e-mail only — consent by reply.
    /// Anything else is recorded and changes nothing.
    async fn answer_invitation(&self, token: &str) -> Result<Receipt, ApiError> {
        let from = self.base.from_address.clone().unwrap_or_default();
        let Some(invitation) = store::invitations::by_token(self.state.db.pool(), token, self.now).await? else {
            return self.finish(Outcome::Rejected, "reply to an unknown invitation", None).await;
        };
        if !invitation.email.eq_ignore_ascii_case(&from) {
            return self.finish(Outcome::Rejected, "reply to an invitation from another address than the invited one", None).await;
        }
        if !mentorpost_model::roster::says_yes(&plain_text(&self.mail.body.kept)) {
            return self.finish(Outcome::Rejected, "reply to an invitation that does not say yes", None).await;
        }
        let via = store::invitations::Via::Email;
        match store::invitations::accept(&self.state.db, token.to_owned(), via, None, self.now).await? {
            Ok(accepted) => {
                tracing::info!(user = %accepted.user_id, programme = %accepted.programme_id, "invitation accepted by reply");
                self.finish(Outcome::Accepted, "invitation accepted by reply, e-mail only", Some(accepted.user_id)).await
            }
            Err(why) => {
                let reason = format!("reply to an invitation that cannot be accepted ({why:?})");
                self.finish(Outcome::Rejected, &reason, None).await
            }
        }
    }

    /// "done 3" from one of the owner's addresses, who is a current member: ticks those
    /// actions off (as on the web) and answers with what was done and what was not
    /// found. Nothing is posted.
    async fn tick_actions(&self, owner: UserId, mentorship: MentorshipId, numbers: Vec<i64>) -> Result<Receipt, ApiError> {
        let pool = self.state.db.pool();
        let from = self.base.from_address.clone().unwrap_or_default();
        if !store::inbound::is_verified_address(pool, owner, &from).await? {
            self.tell_owner_about(owner, &from).await?;
            self.explain_to_sender(Notice::UnknownSender).await?;
            return self.finish(Outcome::Rejected, "the sender's address is not one of the owner's verified addresses", Some(owner)).await;
        }
        let member = store::mentorships::access(pool, mentorship, owner).await?.is_some_and(|a| a.role.is_some() && a.left_at.is_none());
        if !member {
            return self.finish(Outcome::Rejected, "the sender is not a member of this mentorship (any more)", Some(owner)).await;
        }
        let receipt = self.finish(Outcome::ActionsDone, "actions ticked off by mail", Some(owner)).await?;
        if receipt.outcome == "duplicate" {
            return Ok(receipt);
        }
        let (mut done, mut unknown) = (Vec::new(), Vec::new());
        for n in numbers {
            match store::actions::set_done(&self.state.db, mentorship, n, owner, true, self.now).await? {
                Some(action) => done.push(format!("{}. {}", action.number, action.text)),
                None => unknown.push(n),
            }
        }
        tracing::info!(user = %owner, %mentorship, done = done.len(), unknown = unknown.len(), "actions ticked off by mail");
        // An answer to a request, not a warning: no daily limit, always sent.
        if let Some(person) = store::users::get(pool, owner).await? {
            self.queue(Some(owner), person.email.clone(), person.locale, &Notice::ActionsDone { done, unknown }, true).await?;
        }
        Ok(receipt)
    }

    /// A reply to an agreement mail (F3): from one of the member's own addresses, saying
    /// "agree" (or "akkoord", …; see `mentorpost_model::agreement::says_agree`) on its
    /// first line, it confirms the version that mail showed and accepts the charter —
    /// and a short mail says so. "agree" to an older version confirms nothing and
    /// points to the current one; anything else gets a polite "not understood" (at most
    /// once a day). Nothing of the reply is posted.
    async fn answer_agreement(&self, token: &str) -> Result<Receipt, ApiError> {
        use crate::mail::agreement::Answer;
        let pool = self.state.db.pool();
        let from = self.base.from_address.clone().unwrap_or_default();
        let Some(target) = store::agreements::by_token(pool, token).await? else {
            return self.finish(Outcome::Rejected, "reply to an unknown agreement mail", None).await;
        };
        let owner = target.user_id;
        if !store::inbound::is_verified_address(pool, owner, &from).await? {
            self.explain_to_sender(Notice::UnknownSender).await?;
            return self
                .finish(Outcome::Rejected, "reply to an agreement mail from an address that is not the member's", Some(owner))
                .await;
        }
        let member = store::mentorships::access(pool, target.mentorship_id, owner)
            .await?
            .is_some_and(|a| a.role.is_some() && a.left_at.is_none() && a.status != mentorpost_model::MentorshipStatus::Closed);
        if !member {
            return self.finish(Outcome::Rejected, "reply to an agreement mail by someone no longer a member", Some(owner)).await;
        }
        let (answer, outcome, reason) = if !mentorpost_model::agreement::says_agree(&plain_text(&self.mail.body.kept)) {
            (Answer::Unclear, Outcome::Rejected, "reply to an agreement mail that does not say agree")
        } else {
            let via = mentorpost_model::agreement::ConfirmedVia::Email;
            match store::agreements::confirm(&self.state.db, target.mentorship_id, owner, Some(target.version), via, self.now).await {
                Ok(done) => {
                    let all = store::agreements::status(pool, target.mentorship_id).await?.is_some_and(|s| s.confirmed);
                    (Answer::Confirmed { version: done.version, all }, Outcome::AgreementConfirmed, "agreement confirmed by reply")
                }
                Err(StoreError::Rejected(Refusal::Conflict { .. })) => {
                    (Answer::Stale, Outcome::Rejected, "agree to an agreement version that is no longer current")
                }
                Err(err) => return Err(err.into()),
            }
        };
        let receipt = self.finish(outcome, reason, Some(owner)).await?;
        if receipt.outcome != "duplicate" {
            crate::mail::agreement::answer(self.state, target, answer, self.mail.message_id.as_deref(), self.now)
                .await
                .map_err(ApiError::Internal)?;
        }
        if outcome == Outcome::AgreementConfirmed {
            tracing::info!(user = %owner, mentorship = %target.mentorship_id, "agreement confirmed by reply");
        }
        Ok(receipt)
    }

    /// A reply to the mail about a new version of a programme's privacy notice: from one
    /// of the person's own addresses, a first line that says "agree" (or "akkoord", as
    /// an agreement is confirmed) records their consent to that version by e-mail, if it
    /// is still the current one. Anything else records nothing (the person is asked
    /// again on their next visit to the web app, and their coordinator hears a "no").
    async fn answer_privacy(&self, token: &str) -> Result<Receipt, ApiError> {
        let pool = self.state.db.pool();
        let from = self.base.from_address.clone().unwrap_or_default();
        let Some((owner, programme, label)) = store::notices::by_token(pool, token).await? else {
            return self.finish(Outcome::Rejected, "reply to an unknown privacy notice mail", None).await;
        };
        if !store::inbound::is_verified_address(pool, owner, &from).await? {
            self.explain_to_sender(Notice::UnknownSender).await?;
            return self
                .finish(Outcome::Rejected, "reply to a privacy notice mail from an address that is not the person's", Some(owner))
                .await;
        }
        if !mentorpost_model::agreement::says_agree(&plain_text(&self.mail.body.kept)) {
            return self.finish(Outcome::Rejected, "reply to a privacy notice mail that does not say agree", Some(owner)).await;
        }
        match store::notices::accept(&self.state.db, owner, programme, label, "email", self.now).await? {
            Ok(()) => {
                tracing::info!(user = %owner, programme = %programme, "privacy notice accepted by reply");
                self.finish(Outcome::NoticeAccepted, "privacy notice accepted by reply", Some(owner)).await
            }
            Err(store::notices::NotRecorded::Changed) => {
                self.finish(Outcome::Rejected, "agree to a privacy notice version that is no longer current", Some(owner)).await
            }
            Err(store::notices::NotRecorded::NotInProgramme) => {
                self.finish(Outcome::Rejected, "agree to a privacy notice of a programme the person left", Some(owner)).await
            }
        }
    }

    /// A reply to a form mail (F6–F10, G2): from one of the member's own addresses, the
    /// answers written under the numbered questions are read (`model::forms`) and
    /// recorded in their form — a second reply changes the answers it gives — and a
    /// short mail shows what was recorded and what could not be read. A reply with no
    /// answers gets the way to answer (at most once a day); a form that can no longer
    /// be filled in (the member left, the mentorship closed) records nothing.
    async fn answer_form(&self, token: &str) -> Result<Receipt, ApiError> {
        use crate::mail::prompts::Answer;
        let pool = self.state.db.pool();
        let from = self.base.from_address.clone().unwrap_or_default();
        let Some(target) = store::prompts::by_token(pool, token).await? else {
            return self.finish(Outcome::Rejected, "reply to an unknown form mail", None).await;
        };
        let owner = target.user_id;
        if !store::inbound::is_verified_address(pool, owner, &from).await? {
            self.explain_to_sender(Notice::UnknownSender).await?;
            return self.finish(Outcome::Rejected, "reply to a form mail from an address that is not the member's", Some(owner)).await;
        }
        let Some(person) = store::users::get(pool, owner).await? else {
            return self.finish(Outcome::Rejected, "reply to a form mail of someone no longer known", Some(owner)).await;
        };
        let access = store::mentorships::access(pool, target.mentorship_id, owner).await?;
        let role = access.as_ref().and_then(|a| if a.left_at.is_none() { a.role } else { None });
        // A follow-up is for a closed mentorship; every other form for an active one.
        let wanted = if target.kind == mentorpost_model::journey::PromptKind::FollowUp {
            mentorpost_model::MentorshipStatus::Closed
        } else {
            mentorpost_model::MentorshipStatus::Active
        };
        let open = access.as_ref().is_some_and(|a| a.status == wanted);
        let tr = crate::i18n::Tr::new(person.locale, &person.timezone);
        let (answer, outcome, reason) = match role.filter(|_| open) {
            None => (Answer::Closed, Outcome::Rejected, "reply to a form that can no longer be filled in"),
            Some(role) => {
                let questions = crate::mail::prompts::questions(target.kind, role);
                let parsed = mentorpost_model::forms::parse_reply(questions, &self.mail.text);
                if parsed.answers.is_empty() && parsed.unclear.is_empty() {
                    (Answer::Nothing, Outcome::Rejected, "reply to a form mail without answers")
                } else if parsed.answers.is_empty() {
                    (
                        crate::mail::prompts::labelled(&tr, target.kind, role, &parsed),
                        Outcome::Rejected,
                        "reply to a form mail without readable answers",
                    )
                } else if self.record_form(&target, role, &parsed).await? {
                    store::prompts::mark_answered(&self.state.db, target.id.clone(), self.now).await?;
                    (crate::mail::prompts::labelled(&tr, target.kind, role, &parsed), Outcome::FormAnswered, "form answered by reply")
                } else {
                    (Answer::Closed, Outcome::Rejected, "reply to a form the store refused (no longer open, or given already)")
                }
            }
        };
        let receipt = self.finish(outcome, reason, Some(owner)).await?;
        if receipt.outcome == "duplicate" {
            return Ok(receipt);
        }
        if matches!(answer, Answer::Nothing)
            && !store::inbound::claim_notice(&self.state.db, person.email.clone(), "form_unreadable", self.now).await?
        {
            return Ok(receipt);
        }
        let first_question = crate::mail::prompts::questions(target.kind, role.unwrap_or(mentorpost_model::Role::Mentee))
            .first()
            .map(|q| crate::mail::prompts::question_label(&tr, target.kind, role.unwrap_or(mentorpost_model::Role::Mentee), q))
            .unwrap_or_default();
        let mail = crate::mail::prompts::AnswerMail {
            to_name: &person.display_name,
            to_email: &person.email,
            tr: &tr,
            link: crate::mail::prompts::form_link(&self.state.mailer, target.kind, target.mentorship_id, &target.subject),
            in_reply_to: self.mail.message_id.as_deref(),
            token,
            first_question,
        };
        let rendered = crate::mail::prompts::render_answer(&self.state.mailer, &mail, &answer).map_err(ApiError::Internal)?;
        let id = uuid::Uuid::now_v7().simple().to_string();
        store::inbound::queue_notice(&self.state.db, id, Some(person.id), person.email.clone(), rendered, self.now).await?;
        if outcome == Outcome::FormAnswered {
            tracing::info!(user = %owner, mentorship = %target.mentorship_id, kind = target.kind.as_str(), "form answered by reply");
        }
        Ok(receipt)
    }

    /// Writes a reply's readable answers into the member's form: a new one, or the
    /// answers it gives replacing those of the form they already have. `false` when the
    /// store refuses it (the form is no longer open, a follow-up was given already).
    async fn record_form(
        &self,
        target: &store::prompts::PromptTarget,
        role: mentorpost_model::Role,
        parsed: &ParsedReply,
    ) -> Result<bool, ApiError> {
        use mentorpost_model::journey::PromptKind;
        let pool = self.state.db.pool();
        let (db, ms, user, now) = (&self.state.db, target.mentorship_id, target.user_id, self.now);
        fn fill<F: Form>(mut form: F, parsed: &ParsedReply) -> F {
            for (field, answer) in &parsed.answers {
                form.set(field, answer.clone());
            }
            form
        }
        let written = match target.kind {
            PromptKind::Reflection => {
                let existing = store::reflections::own_for_meeting(pool, user, &target.subject).await?;
                let answers = fill(existing.as_ref().map(|r| r.answers.clone()).unwrap_or_default(), parsed);
                answers.validate().map_err(ApiError::from)?;
                match existing {
                    Some(r) => store::reflections::update(db, r.id, user, answers, r.shared, now).await.map(|_| ()),
                    None => {
                        let new = store::reflections::NewReflection {
                            mentorship: ms,
                            author: user,
                            role,
                            meeting: Some(target.subject.clone()),
                            answers,
                            shared: false,
                        };
                        store::reflections::create(db, new, now).await.map(|_| ())
                    }
                }
            }
            PromptKind::Review => {
                let round: i64 = target.subject.parse().unwrap_or(0);
                let existing = store::reviews::for_member(pool, ms, user).await?.into_iter().find(|r| r.round == round);
                let answers = fill(existing.map(|r| r.answers).unwrap_or_default(), parsed);
                store::reviews::submit(db, ms, user, round, answers, now).await.map(|_| ())
            }
            PromptKind::Closing => {
                let answers = fill(store::closings::form_of(pool, ms, user).await?.unwrap_or_default(), parsed);
                store::closings::submit(db, ms, user, answers, now).await.map(|_| ())
            }
            PromptKind::FollowUp => {
                let answers = fill(mentorpost_model::closure::FollowUpAnswers::default(), parsed);
                store::closings::submit_follow_up(db, ms, user, answers, now).await
            }
            PromptKind::Profile => {
                let mine = store::profiles::own(pool, user).await?.map(|p| p.profile).unwrap_or_default();
                let profile = fill(mine, parsed).normalized();
                profile.validate().map_err(ApiError::from)?;
                store::profiles::save(db, user, profile, now).await
            }
            PromptKind::Closure | PromptKind::Action => return Ok(false),
        };
        match written {
            Ok(()) => Ok(true),
            Err(StoreError::Rejected(_)) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    async fn finish(&self, outcome: Outcome, reason: &str, user: Option<UserId>) -> Result<Receipt, ApiError> {
        tracing::info!(outcome = outcome.as_str(), %reason, "mail received");
        let record = Record { outcome, reason: Some(reason.to_owned()), user_id: user, ..self.base.clone() };
        let fresh = store::inbound::record(&self.state.db, record).await?;
        Ok(if fresh { Receipt::of(outcome.as_str(), Some(reason.to_owned())) } else { Receipt::of("duplicate", None) })
    }

    /// The route from the first of our tagged addresses with a known token (envelope
    /// first: it is what the MTA delivered to), then from `References`.
    async fn route(&self, domain: &str) -> Result<Option<Route>, ApiError> {
        let pool = self.state.db.pool();
        let addresses = self.delivery.envelope_to.iter().chain(self.mail.recipients.iter());
        let mut ours = false;
        for address in addresses.clone() {
            ours |= address.rsplit_once('@').is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain));
            let Some((kind, token)) = tagged(address, domain) else { continue };
            if !looks_like_token(&token) {
                continue;
            }
            if kind == TokenKind::Bounce.as_str() {
                return Ok(Some(Route::BounceAddress));
            }
            if kind == "invite" {
                return Ok(Some(Route::Invitation { token: token.to_ascii_lowercase() }));
            }
            if kind == "agreement" {
                return Ok(Some(Route::Agreement { token: token.to_ascii_lowercase() }));
            }
            if kind == "form" {
                return Ok(Some(Route::Form { token: token.to_ascii_lowercase() }));
            }
            if kind == "privacy" {
                return Ok(Some(Route::Privacy { token: token.to_ascii_lowercase() }));
            }
            let Some(target) = store::mail::find_token(pool, &token).await? else { continue };
            if target.kind != kind {
                continue;
            }
            let route = match (kind.as_str(), target.thread_id, target.mentorship_id) {
                ("reply", Some(thread), _) => Route::Reply { owner: target.user_id, thread },
                ("mentorship", _, Some(mentorship)) => Route::NewThread { owner: target.user_id, mentorship },
                ("unsubscribe", _, Some(mentorship)) => Route::Unsubscribe { owner: target.user_id, mentorship },
                _ => continue,
            };
            return Ok(Some(route));
        }
        for reference in &self.mail.references {
            let Some((local, d)) = reference.trim_matches(|c| c == '<' || c == '>').rsplit_once('@') else { continue };
            if !d.eq_ignore_ascii_case(domain) {
                continue;
            }
            if let Some(thread) = local.strip_prefix("thread.").and_then(|t| t.parse::<ThreadId>().ok()) {
                return Ok(Some(Route::ThreadByReference { thread }));
            }
            if let Some((owner, thread)) = store::inbound::outbox_target(pool, local).await? {
                return Ok(Some(Route::Reply { owner, thread }));
            }
        }
        Ok(ours.then_some(Route::General))
    }

    /// Posts the mail's text as `owner`, after checking that it comes from one of the
    /// owner's verified addresses.
    async fn post_as(&self, owner: UserId, destination: Destination, tell_owner: bool) -> Result<Receipt, ApiError> {
        let pool = self.state.db.pool();
        let from = self.base.from_address.clone().unwrap_or_default();
        if !store::inbound::is_verified_address(pool, owner, &from).await? {
            if tell_owner {
                self.tell_owner_about(owner, &from).await?;
            }
            self.explain_to_sender(Notice::UnknownSender).await?;
            return self.finish(Outcome::Rejected, "the sender's address is not one of the owner's verified addresses", Some(owner)).await;
        }
        let kept = plain_text(&self.mail.body.kept);
        let (text, overflow) = split_at_limit(kept.trim(), MessageBody::MAX_BYTES);
        let mut quoted = self.mail.body.trimmed.clone().unwrap_or_default();
        if let Some(rest) = overflow {
            // Beyond the message size: kept with the message rather than dropped.
            quoted = format!("{rest}\n\n{quoted}");
        }
        let (attachments, dropped) = self.attachments();
        let text = if text.trim().is_empty() && !attachments.is_empty() {
            files_only_text(attachments.iter().map(|a| a.name.as_str()))
        } else {
            text.to_owned()
        };
        let Ok(body) = MessageBody::parse(&text) else {
            return self.finish(Outcome::Rejected, "the mail has no text of its own", Some(owner)).await;
        };
        // A reply in a check-in thread that answers it: only the status is kept for the
        // coordinator; a reply that is nothing but the answer posts nothing.
        if let Destination::Thread(thread) = &destination
            && let Some((checkin, mentorship)) = store::checkins::by_thread(pool, *thread).await?
            && let Some(status) = mentorpost_model::checkin::parse_answer(&text)
        {
            let member =
                store::mentorships::access(pool, mentorship, owner).await?.is_some_and(|a| a.role.is_some() && a.left_at.is_none());
            if member {
                store::checkins::answer(&self.state.db, checkin, owner, status, "email", self.now).await?;
                if mentorpost_model::checkin::is_bare_answer(&text) {
                    return self.finish(Outcome::CheckinAnswer, "check-in answered", Some(owner)).await;
                }
            }
        }
        let key = format!("mail:{}", &hex::encode(Sha256::digest(self.mail.dedup_key.as_bytes()))[..40]);
        let client_msg_id = ClientMsgId::parse(&key).ok();
        let is_new_thread = matches!(destination, Destination::NewThread { .. });
        let outcome = if is_new_thread { Outcome::ThreadCreated } else { Outcome::Posted };
        let record = Record { outcome, user_id: Some(owner), ..self.base.clone() };
        let mailed = MailedMessage {
            destination,
            new: NewMessage { author: owner, body, client_msg_id, source: MessageSource::Email, attachments },
            quoted: (!quoted.trim().is_empty()).then_some(quoted),
            record,
        };
        let posted = match store::inbound::post(&self.state.db, mailed).await {
            Ok(posted) => posted,
            Err(StoreError::Rejected(Refusal::NotFound | Refusal::Forbidden { .. })) => {
                return self.finish(Outcome::Rejected, "the sender is not a member of this mentorship (any more)", Some(owner)).await;
            }
            Err(StoreError::Rejected(Refusal::Conflict { .. })) => return Ok(Receipt::of("duplicate", None)),
            Err(err) => return Err(err.into()),
        };
        if !dropped.is_empty() {
            self.notice_to_user(owner, Notice::AttachmentsDropped { names: dropped }).await?;
        }
        tracing::info!(outcome = outcome.as_str(), message = %posted.posted.message.id, "mail posted");
        Ok(Receipt {
            outcome: if posted.posted.created { outcome.as_str().to_owned() } else { "duplicate".to_owned() },
            reason: None,
            message_id: Some(posted.posted.message.id),
            thread_id: Some(posted.thread.id),
        })
    }

    /// The attachments that fit in the limit (in order), and the names of those that did not.
    fn attachments(&self) -> (Vec<NewAttachment>, Vec<String>) {
        let limit = self.state.config.inbound.max_attachment_bytes;
        let (mut kept, mut dropped, mut total) = (Vec::new(), Vec::new(), 0usize);
        for a in &self.mail.attachments {
            let name = clean_file_name(&a.name);
            if total + a.data.len() > limit {
                dropped.push(name);
                continue;
            }
            total += a.data.len();
            kept.push(NewAttachment { name, content_type: a.content_type.clone(), data: a.data.clone() });
        }
        (kept, dropped)
    }

    /// A delivery or feedback report. Whose mail failed is found only from our own
    /// tokens — the VERP bounce address it was sent to, or the one in the returned
    /// original — so a forged report cannot pause anyone's mail; a report that reached a
    /// reply or mentorship address counts only for that token owner's verified
    /// addresses. A report that maps to nobody is kept as failed for an admin. Nothing
    /// here ever answers or notifies.
    async fn bounce(&self, report: &mentorpost_inbound::DeliveryReport) -> Result<Receipt, ApiError> {
        let domain = &self.state.config.mail_domain;
        let pool = self.state.db.pool();
        let addresses = self.delivery.envelope_to.iter().chain(self.mail.recipients.iter()).chain(report.original_sender.iter());
        let (mut by_bounce, mut by_token) = (None, None);
        for address in addresses {
            let Some((kind, token)) = tagged(address, domain) else { continue };
            if !looks_like_token(&token) {
                continue;
            }
            let Some(target) = store::mail::find_token(pool, &token).await? else { continue };
            if target.kind != kind {
                continue;
            }
            if kind == TokenKind::Bounce.as_str() {
                by_bounce = Some(target.user_id);
                break;
            }
            by_token = by_token.or(Some(target.user_id));
        }
        let unmapped = "delivery report: no failed recipient maps to a person";
        let Some(owner) = by_bounce.or(by_token) else {
            tracing::warn!("delivery report that maps to nobody kept for the admins");
            return self.finish(Outcome::Failed, unmapped, None).await;
        };
        let Some(person) = store::users::get(pool, owner).await? else {
            return self.finish(Outcome::Bounce, "delivery report for a removed account", None).await;
        };
        // Which of the report's addresses count against this person.
        let mut failed: Vec<(String, String, bool)> = Vec::new();
        for r in &report.recipients {
            let address = if r.address.contains('@') { r.address.to_lowercase() } else { person.email.clone() };
            if by_bounce.is_none() && !store::inbound::is_verified_address(pool, owner, &address).await? {
                continue;
            }
            failed.push((address, r.status.clone(), r.permanent));
        }
        if let mentorpost_inbound::ReportKind::Feedback { feedback_type } = &report.kind {
            if !report.is_complaint() {
                return self.finish(Outcome::Bounce, &format!("feedback report ({feedback_type}): nothing to do"), Some(owner)).await;
            }
            // Providers often redact the complainer: the VERP token names them.
            if failed.is_empty() && by_bounce.is_some() {
                failed.push((person.email.clone(), feedback_type.clone(), true));
            }
            if failed.is_empty() {
                return self.finish(Outcome::Failed, unmapped, Some(owner)).await;
            }
            for (address, _, _) in failed {
                store::inbound::record_complaint(&self.state.db, owner, address, self.now).await?;
            }
            tracing::warn!(user = %owner, "mail to this person is paused: they reported our mail as spam");
            return self.finish(Outcome::Bounce, "feedback report: abuse complaint; mail paused", Some(owner)).await;
        }
        let mut paused = false;
        let mut counted = 0;
        for (address, status, permanent) in failed {
            // Only failures count ("delayed" reports carry 4.x.x too, and are soft).
            if !matches!(status.chars().next(), Some('4' | '5')) {
                continue;
            }
            paused |= store::inbound::record_bounce(&self.state.db, owner, address, status, permanent, self.now).await?;
            counted += 1;
        }
        if counted == 0 {
            return self.finish(Outcome::Failed, unmapped, Some(owner)).await;
        }
        if paused {
            tracing::warn!(user = %owner, "mail to this person is paused: their address keeps bouncing");
        }
        let reason = format!("delivery report: {counted} failed recipient(s){}", if paused { "; mail paused" } else { "" });
        self.finish(Outcome::Bounce, &reason, Some(owner)).await
    }

    /// A polite explanation to the sender, only when the receiving MTA verified the
    /// sender's domain (SPF or DMARC pass): no backscatter to forged senders. At most
    /// one per address and day; never to automatic mail (callers ran after that check).
    async fn explain_to_sender(&self, notice: Notice) -> Result<(), ApiError> {
        let Some(from) = self.base.from_address.clone() else { return Ok(()) };
        if !self.mail.auth.sender_verified() {
            return Ok(());
        }
        let locale = match store::inbound::user_by_address(self.state.db.pool(), &from).await? {
            Some(user) => store::users::get(self.state.db.pool(), user).await?.map(|u| u.locale).unwrap_or_default(),
            None => Locale::default(),
        };
        if !store::inbound::claim_notice(&self.state.db, from.clone(), notice.kind(), self.now).await? {
            return Ok(());
        }
        self.queue(None, from, locale, &notice, true).await
    }

    /// Tells the owner that mail for them came from `address`, with a link that adds
    /// the address to theirs if it was them (at most once a day).
    async fn tell_owner_about(&self, owner: UserId, address: &str) -> Result<(), ApiError> {
        if address.is_empty() {
            return Ok(());
        }
        let Some(person) = store::users::get(self.state.db.pool(), owner).await? else { return Ok(()) };
        if !store::inbound::claim_notice(&self.state.db, person.email.clone(), "not_your_address", self.now).await? {
            return Ok(());
        }
        let token = store::inbound::create_address_confirmation(&self.state.db, owner, address.to_owned(), self.now).await?;
        let link = format!("{}/mail/add-address/{token}", self.state.mailer.public_url);
        let notice = Notice::NotYourAddress { address: address.to_owned(), link };
        self.queue(Some(owner), person.email.clone(), person.locale, &notice, false).await
    }

    /// A notice to a person at their own address (at most one of a kind per day).
    async fn notice_to_user(&self, user: UserId, notice: Notice) -> Result<(), ApiError> {
        let Some(person) = store::users::get(self.state.db.pool(), user).await? else { return Ok(()) };
        if !store::inbound::claim_notice(&self.state.db, person.email.clone(), notice.kind(), self.now).await? {
            return Ok(());
        }
        self.queue(Some(user), person.email.clone(), person.locale, &notice, true).await
    }

    /// Queues a notice; `answering`: it answers the received mail (threaded under it).
    async fn queue(&self, user: Option<UserId>, to: String, locale: Locale, notice: &Notice, answering: bool) -> Result<(), ApiError> {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let mailer = &self.state.mailer;
        let rendered = notices::render(&notices::NoticeMail {
            id: &id,
            domain: &mailer.domain,
            public_url: &mailer.public_url,
            to: &to,
            locale,
            in_reply_to: self.mail.message_id.as_deref().filter(|_| answering),
            original_subject: &self.mail.subject,
            notice,
        })
        .map_err(ApiError::Internal)?;
        store::inbound::queue_notice(&self.state.db, id, user, to, rendered, self.now).await?;
        Ok(())
    }
}

/// How often raw mail past its keeping time is cleared.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Clears raw mail past its keeping time, hourly, until shutdown.
pub async fn purge_raw_mail(state: AppState) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match store::inbound::purge_raw(&state.db, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cleared = n, "raw received mail past its keeping time cleared"),
            Err(err) => tracing::warn!(error = %err, "clearing old raw mail failed"),
        }
    }
}

/// The subject of a thread started by mail: reply/forward prefixes and `[tags]`
/// removed; when nothing is left, the first line of the text. True when the sender's
/// subject was vague (they get a tip).
fn thread_subject(raw: &str, text: &str) -> Option<(Subject, bool)> {
    let cleaned = mentorpost_model::subject::clean(raw);
    let vague = mentorpost_model::subject::is_vague(&cleaned);
    if let Ok(subject) = Subject::parse(&cleaned) {
        return Some((subject, vague));
    }
    let first_line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let short: String = first_line.chars().take(80).collect();
    Subject::parse(&short).or_else(|_| Subject::parse("(no subject)")).ok().map(|s| (s, true))
}

/// Mail text as a message body takes it: `\n` line ends, no control characters but
/// tab and newline (a stray form feed must not refuse a whole mail).
fn plain_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || c == '\u{2028}' || c == '\u{2029}'))
        .collect()
}

/// Cuts `text` at the last character boundary within `max` bytes.
fn split_at_limit(text: &str, max: usize) -> (&str, Option<&str>) {
    if text.len() <= max {
        return (text, None);
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    (&text[..cut], Some(&text[cut..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_subjects_lose_prefixes_and_fall_back_to_the_text() {
        let (s, vague) = thread_subject("Re: AW: [mentor] Stage bij de gemeente Łódź", "").expect("subject");
        assert_eq!(s.as_str(), "Stage bij de gemeente Łódź");
        assert!(!vague);
        let (s, vague) = thread_subject("", "\n  Mijn eerste week op kantoor\nen verder").expect("subject");
        assert_eq!(s.as_str(), "Mijn eerste week op kantoor");
        assert!(vague);
        let (_, vague) = thread_subject("vraag", "tekst").expect("subject");
        assert!(vague);
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let text = "ż".repeat(10);
        let (head, rest) = split_at_limit(&text, 5);
        assert_eq!(head, "żż");
        assert_eq!(rest, Some("żżżżżżżż"));
        assert_eq!(split_at_limit("abc", 5), ("abc", None));
    }
}
