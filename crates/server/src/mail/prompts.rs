//! The journey's prompts (F5–F10): one scheduler for every step that comes due — a
//! reflection form after a session, a review round, the closing step, the follow-up,
//! an action falling due — and the mails that invite to them.
//!
//! A round (with the digests, every 30 s) has two steps:
//! 1. **Reconcile**: find records whose timer is missing (a new meeting, an action with
//!    a new due date, a changed end date; one anti-join each, see `store::prompts`),
//!    compute their instants with the pure rules of `model::journey`, add them.
//! 2. **Fire**: read the waiting timers that came due (an index range), decide per
//!    member whether to invite (not someone who already answered, nobody who reads no
//!    mail) and render the mails, then fire the timers and queue the mails in one
//!    transaction. Firing is `UPDATE … WHERE fired_at IS NULL`, so of two instances
//!    only one invites.
//!
//! Each invitation carries the form's questions, numbered, and a Reply-To
//! `form+TOKEN@`: the reply's answers, written under the questions, are read back into
//! the form (`model::forms::parse_reply`) and a short mail shows what was recorded
//! ([`answer`]). Every mail follows the reader's language, mail mode and quiet hours
//! (`model::agreement::deliver_at`). Nothing here is logged but ids and counts.

use super::{Mailer, compose, plain_part, tokens};
use crate::db::StoreError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::store;
use crate::store::prompts::{Firing, Invitation, Member, Timer};
use anyhow::Context;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use mentorpost_model::agreement::deliver_at;
use mentorpost_model::closure::{self, ClosingAnswers, FollowUpAnswers};
use mentorpost_model::forms::{AnswerKind, Form, ParsedReply, Question, numbered};
use mentorpost_model::journey::{self, PromptKind};
use mentorpost_model::mail::MailMode;
use mentorpost_model::reflection::ReflectionAnswers;
use mentorpost_model::review::{self, ReviewAnswers};
use mentorpost_model::{MentorshipId, Profile, Role, UserId};
use std::collections::HashSet;

/// Timers fired per transaction.
const BATCH: i64 = 256;
/// Transactions of fired timers per round.
const PASSES: usize = 4;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Timers the reconciling step added.
    pub timers_added: usize,
    /// Timers fired (with or without invitations).
    pub fired: usize,
    /// Invitation mails queued.
    pub mails: usize,
}

/// One scheduler round at the state's clock. Tests call it after moving the clock.
#[tracing::instrument(name = "prompts", skip_all)]
pub async fn schedule_due(state: &AppState) -> anyhow::Result<RoundReport> {
    let now = state.clock.now();
    let mut report = RoundReport { timers_added: reconcile(state, now).await?, ..RoundReport::default() };
    // Each pass fires or moves every timer it read, so the next pass reads new ones.
    // A round fires at most PASSES × BATCH timers: a backlog (the first round over an
    // existing programme) is spread over rounds 30 s apart, so no round runs long.
    for _ in 0..PASSES {
        let due = store::prompts::due(state.db.pool(), now, BATCH).await.context("reading due prompts")?;
        let read = due.len();
        if read == 0 {
            break;
        }
        let prepared = prepare(state, due, now).await?;
        let (fired, mails) = store::prompts::fire(&state.db, prepared.firings, now).await.context("firing prompts")?;
        report.fired += fired;
        report.mails += mails;
        // A closing step that began invites its members in the same round.
        if prepared.closings_started > 0 {
            report.timers_added += reconcile(state, now).await?;
        }
        if ((read as i64) < BATCH && prepared.closings_started == 0) || fired + prepared.moved == 0 {
            break;
        }
    }
    Ok(report)
}

/// Adds the timers that records call for and do not have yet; returns how many.
async fn reconcile(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let pool = state.db.pool();
    let since = now - chrono::Duration::days(journey::REFLECTION_WINDOW_DAYS);
    let mut timers: Vec<Timer> = store::prompts::meetings_without_timer(pool, since)
        .await
        .context("finding new sessions")?
        .into_iter()
        .map(|(mentorship_id, meeting, logged_at)| Timer {
            mentorship_id,
            kind: PromptKind::Reflection,
            subject: meeting,
            due_at: journey::reflection_due(logged_at),
        })
        .collect();
    let today = now.date_naive();
    for a in store::prompts::actions_without_timer(pool, today).await.context("finding actions falling due")? {
        let tz: chrono_tz::Tz = a.timezone.parse().unwrap_or(chrono_tz::UTC);
        timers.push(Timer {
            mentorship_id: a.mentorship_id,
            kind: PromptKind::Action,
            subject: journey::action_subject(a.number, a.due_on),
            due_at: journey::action_reminder_due(a.due_on, tz),
        });
    }
    for c in store::prompts::mentorships_without_review_timer(pool).await.context("finding reviews to schedule")? {
        let tz: chrono_tz::Tz = c.timezone.parse().unwrap_or(chrono_tz::UTC);
        let today = now.with_timezone(&tz).date_naive();
        // The next round after the last one scheduled; for a mentorship new to the
        // scheduler, the round due now (not every round it missed) — or, when that one
        // is long past, the next.
        let due_now = i64::from(review::due_round(c.start, c.every_months, today));
        let mut round = (c.last_round + 1).max(due_now).max(1);
        let due_at = |round: i64| {
            journey::at_prompt_hour(review::review_due_on(c.start, c.every_months, u32::try_from(round).unwrap_or(u32::MAX)), tz)
        };
        while journey::is_stale(due_at(round), now) {
            round += 1;
        }
        timers.push(Timer { mentorship_id: c.mentorship_id, kind: PromptKind::Review, subject: round.to_string(), due_at: due_at(round) });
    }
    for (mentorship_id, end, timezone) in store::prompts::end_dates_without_timer(pool).await.context("finding end dates")? {
        let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        timers.push(Timer {
            mentorship_id,
            kind: PromptKind::Closure,
            subject: end.to_string(),
            due_at: journey::at_prompt_hour(journey::closing_starts_on(end), tz),
        });
    }
    // E-mail-only members write their profile by reply (G5): asked once after pairing,
    // after the first-contact mail.
    for (mentorship_id, paired_at) in store::prompts::pairings_without_profile_timer(pool, since).await.context("finding new pairings")? {
        timers.push(Timer { mentorship_id, kind: PromptKind::Profile, subject: String::new(), due_at: journey::reflection_due(paired_at) });
    }
    for mentorship_id in store::prompts::closings_without_timer(pool).await.context("finding closing steps")? {
        timers.push(Timer { mentorship_id, kind: PromptKind::Closing, subject: String::new(), due_at: now });
    }
    for (mentorship_id, closed_at, months, timezone) in
        store::prompts::closed_without_timer(pool).await.context("finding closed mentorships")?
    {
        let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let day = closure::follow_up_due_on(closed_at.with_timezone(&tz).date_naive(), months);
        timers.push(Timer { mentorship_id, kind: PromptKind::FollowUp, subject: String::new(), due_at: journey::at_prompt_hour(day, tz) });
    }
    let added = timers.len();
    store::prompts::add_timers(&state.db, timers, now).await.context("adding prompt timers")?;
    Ok(added)
}

/// Decides, for each due timer, whom it invites, and renders their mails. Returns the
/// firings, how many timers were moved to a later moment instead, and how many closing
/// steps began (their invitations follow in the same round).
async fn prepare(state: &AppState, due: Vec<Timer>, now: DateTime<Utc>) -> anyhow::Result<Prepared> {
    let pool = state.db.pool();
    let ids: Vec<MentorshipId> = due.iter().map(|t| t.mentorship_id).collect::<HashSet<_>>().into_iter().collect();
    let members = store::prompts::members(pool, &ids).await.context("reading members")?;
    let meetings: Vec<String> = due.iter().filter(|t| t.kind == PromptKind::Reflection).map(|t| t.subject.clone()).collect();
    let days = store::prompts::meeting_days(pool, &meetings).await.context("reading session dates")?;
    let written: HashSet<(String, UserId)> =
        store::prompts::reflections_written(pool, &meetings).await.context("reading reflections")?.into_iter().collect();
    let of_kind = |kind: PromptKind| -> Vec<MentorshipId> { due.iter().filter(|t| t.kind == kind).map(|t| t.mentorship_id).collect() };
    let mut answered = store::prompts::answered(pool, PromptKind::Review, &of_kind(PromptKind::Review)).await.context("reading reviews")?;
    answered
        .extend(store::prompts::answered(pool, PromptKind::Closing, &of_kind(PromptKind::Closing)).await.context("reading closing forms")?);
    let follow_ups =
        store::prompts::answered(pool, PromptKind::FollowUp, &of_kind(PromptKind::FollowUp)).await.context("reading follow-ups")?;
    let profiles = store::prompts::answered(pool, PromptKind::Profile, &of_kind(PromptKind::Profile)).await.context("reading profiles")?;
    let none = Vec::new();
    let mut out = Prepared::default();
    for timer in due {
        let of_mentorship = members.get(&timer.mentorship_id).unwrap_or(&none);
        // A late prompt helps nobody — except the closing step: a mentorship past its
        // end date still closes properly.
        if journey::is_stale(timer.due_at, now) && !matches!(timer.kind, PromptKind::Closure | PromptKind::Closing) {
            out.firings.push(Firing { timer, invitations: Vec::new() });
            continue;
        }
        let base = &state.mailer.public_url;
        let m_id = timer.mentorship_id;
        let invitations = match timer.kind {
            PromptKind::Reflection => {
                let Some(&day) = days.get(&timer.subject) else {
                    out.firings.push(Firing { timer, invitations: Vec::new() });
                    continue;
                };
                let mut list = Vec::new();
                for m in of_mentorship {
                    // Nobody is invited to a form they filled in, or to a session from
                    // before they joined.
                    if written.contains(&(timer.subject.clone(), m.user_id)) || m.joined_at > timer.due_at {
                        continue;
                    }
                    let invite = FormInvite {
                        kind: PromptKind::Reflection,
                        subject_key: "prompt-reflection-subject",
                        intro_key: if m.role == Role::Mentor { "prompt-reflection-intro-mentor" } else { "prompt-reflection-intro-mentee" },
                        date: Some(day),
                        number: 0,
                        questions: ReflectionAnswers::questions(m.role),
                        link: format!("{base}/mentorships/{m_id}?reflect={}#reflections", timer.subject),
                    };
                    list.push(invite_member(&state.mailer, &timer, m, &others(of_mentorship, m.user_id), &invite, now)?);
                }
                list
            }
            PromptKind::Review => {
                let round: i64 = timer.subject.parse().unwrap_or(0);
                // The programme may have changed its cadence since the timer was made.
                if let Some(schedule) = store::reviews::schedule(pool, m_id).await.context("reading the review schedule")? {
                    let day = review::review_due_on(schedule.start, schedule.every_months, u32::try_from(round).unwrap_or(u32::MAX));
                    let at = journey::at_prompt_hour(day, schedule.timezone);
                    if at > now {
                        store::prompts::postpone(&state.db, &timer, at).await.context("moving a review")?;
                        out.moved += 1;
                        continue;
                    }
                }
                let mut list = Vec::new();
                for m in of_mentorship {
                    if answered.contains(&(m_id, m.user_id, round)) || m.joined_at > timer.due_at {
                        continue;
                    }
                    let invite = FormInvite {
                        kind: PromptKind::Review,
                        subject_key: "prompt-review-subject",
                        intro_key: "prompt-review-intro",
                        date: None,
                        number: round,
                        questions: ReviewAnswers::questions(m.role),
                        link: format!("{base}/mentorships/{m_id}/review"),
                    };
                    list.push(invite_member(&state.mailer, &timer, m, &others(of_mentorship, m.user_id), &invite, now)?);
                }
                list
            }
            PromptKind::Closure => {
                // The end date nears: the closing step starts, unless the end date moved
                // or the mentorship ended meanwhile. Its invitations follow this round.
                let current = store::prompts::end_date(pool, m_id).await.context("reading the end date")?;
                if current.as_ref().is_some_and(|(status, end)| status == "active" && end.is_some_and(|e| e.to_string() == timer.subject)) {
                    match store::closings::start(&state.db, m_id, None, now).await {
                        Ok(true) => out.closings_started += 1,
                        Ok(false) | Err(StoreError::Rejected(_)) => {}
                        Err(err) => return Err(err).context("starting a closing step"),
                    }
                }
                Vec::new()
            }
            PromptKind::Closing => {
                let mut list = Vec::new();
                for m in of_mentorship {
                    if answered.contains(&(m_id, m.user_id, 0)) {
                        continue;
                    }
                    let invite = FormInvite {
                        kind: PromptKind::Closing,
                        subject_key: "prompt-closing-subject",
                        intro_key: "prompt-closing-intro",
                        date: None,
                        number: 0,
                        questions: ClosingAnswers::questions(m.role),
                        link: format!("{base}/mentorships/{m_id}/closing"),
                    };
                    list.push(invite_member(&state.mailer, &timer, m, &others(of_mentorship, m.user_id), &invite, now)?);
                }
                list
            }
            PromptKind::FollowUp => {
                let mut list = Vec::new();
                for m in of_mentorship {
                    if follow_ups.contains(&(m_id, m.user_id, 0)) {
                        continue;
                    }
                    let invite = FormInvite {
                        kind: PromptKind::FollowUp,
                        subject_key: "prompt-follow-up-subject",
                        intro_key: "prompt-follow-up-intro",
                        date: None,
                        number: 0,
                        questions: FollowUpAnswers::questions(m.role),
                        link: format!("{base}/mentorships/{m_id}/follow-up"),
                    };
                    list.push(invite_member(&state.mailer, &timer, m, &others(of_mentorship, m.user_id), &invite, now)?);
                }
                list
            }
            PromptKind::Profile => {
                let mut list = Vec::new();
                for m in of_mentorship {
                    // Web users write theirs on the settings page.
                    if m.has_password || profiles.contains(&(m_id, m.user_id, 0)) {
                        continue;
                    }
                    let invite = FormInvite {
                        kind: PromptKind::Profile,
                        subject_key: "prompt-profile-subject",
                        intro_key: "prompt-profile-intro",
                        date: None,
                        number: 0,
                        questions: Profile::questions(m.role),
                        link: format!("{base}/settings/about"),
                    };
                    list.push(invite_member(&state.mailer, &timer, m, &others(of_mentorship, m.user_id), &invite, now)?);
                }
                list
            }
            PromptKind::Action => action_invitation(state, &timer, of_mentorship, now).await?.into_iter().collect(),
        };
        out.firings.push(Firing { timer, invitations });
    }
    Ok(out)
}

/// What [`prepare`] decided.
#[derive(Default)]
struct Prepared {
    firings: Vec<Firing>,
    moved: usize,
    closings_started: usize,
}

/// The names of the other members, for "your session with …".
fn others(members: &[Member], me: UserId) -> String {
    members.iter().filter(|o| o.user_id != me).map(|o| o.display_name.as_str()).collect::<Vec<_>>().join(", ")
}

/// What a form invitation says.
struct FormInvite {
    kind: PromptKind,
    subject_key: &'static str,
    intro_key: &'static str,
    date: Option<chrono::NaiveDate>,
    /// A review's round.
    number: i64,
    questions: &'static [Question],
    link: String,
}

/// One member's invitation to a form: a reply token, and the mail when their mode
/// sends one (at their digest hour for digest readers, after their quiet hours).
fn invite_member(
    mailer: &Mailer,
    timer: &Timer,
    m: &Member,
    others: &str,
    invite: &FormInvite,
    now: DateTime<Utc>,
) -> anyhow::Result<Invitation> {
    let token = tokens::random();
    let tz: chrono_tz::Tz = m.timezone.parse().unwrap_or(chrono_tz::UTC);
    let mail = match deliver_at(m.mode, &m.settings, tz, now) {
        Some(at) => Some((render_form_mail(mailer, timer, m, others, invite, &token)?, at)),
        None => None,
    };
    Ok(Invitation { user: m.user_id, token, mail })
}

/// The label of a question in the reader's language: the same words as the web form.
pub fn question_label(tr: &Tr, kind: PromptKind, role: Role, question: &Question) -> String {
    let field = question.field;
    let label = match kind {
        PromptKind::Reflection => match field {
            "went_less_well" | "questions" => tr.t(&format!("rf-{}-{}", field.replace('_', "-"), role.as_str())),
            _ => tr.t(&format!("rf-{}", field.replace('_', "-"))),
        },
        // The web forms' labels: `review-meetings`, `closing-key_moments`, `follow_up-needs_now`.
        other => tr.t(&format!("{}-{field}", other.as_str())),
    };
    match question.kind {
        AnswerKind::Scale { .. } => tr.ts("prompt-scale", "text", &label),
        AnswerKind::Choice(_) => tr.ts("prompt-continue", "text", &label),
        AnswerKind::Text { .. } => label,
    }
}

fn render_form_mail(mailer: &Mailer, timer: &Timer, m: &Member, others: &str, invite: &FormInvite, token: &str) -> anyhow::Result<String> {
    let tr = Tr::new(m.locale, &m.timezone);
    let date = invite.date.map(|d| tr.date(d)).unwrap_or_default();
    let labels: Vec<String> = invite.questions.iter().map(|q| question_label(&tr, invite.kind, m.role, q)).collect();
    let questions = numbered(labels.iter().map(|l| (l.as_str(), None)));
    let intro = tr.args(
        invite.intro_key,
        &[
            ("name", m.display_name.as_str().into()),
            ("date", date.as_str().into()),
            ("other", others.into()),
            ("number", invite.number.into()),
        ],
    );
    let body = format!("{intro}\n\n{}\n{}\n\n{questions}", tr.t("prompt-answer-how"), tr.ts("prompt-web", "link", &invite.link));
    let subject =
        tr.args(invite.subject_key, &[("date", date.as_str().into()), ("other", others.into()), ("number", invite.number.into())]);
    let reply_to: Mailbox = format!("form+{token}@{}", mailer.domain).parse().context("the form's reply address")?;
    build(mailer, timer, m, &subject, reply_to, body)
}

/// A prompt mail: our sender, the prompt's id as Message-ID (a resend is the same
/// mail), the reply address.
fn build(mailer: &Mailer, timer: &Timer, m: &Member, subject: &str, reply_to: Mailbox, body: String) -> anyhow::Result<String> {
    let to = Mailbox::new(Some(compose::header_text(&m.display_name)), m.email.parse().context("recipient address")?);
    let id = store::prompts::prompt_id(timer, m.user_id);
    let message = mailer
        .builder()
        .message_id(Some(format!("<{id}@{}>", mailer.domain)))
        .reply_to(reply_to)
        .to(to)
        .subject(compose::header_text(subject))
        .singlepart(plain_part(body.trim_end().to_owned() + "\n"))
        .context("building the prompt mail")?;
    String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
}

/// An action falling due tomorrow: a reminder to its owner, when they read this
/// mentorship message by message or on the web (digest readers find it under "due
/// this week"), and when it was not agreed within the last day anyway.
async fn action_invitation(state: &AppState, timer: &Timer, members: &[Member], now: DateTime<Utc>) -> anyhow::Result<Option<Invitation>> {
    let Some((number, due_on)) = journey::parse_action_subject(&timer.subject) else { return Ok(None) };
    let Some(action) = store::prompts::action(state.db.pool(), timer.mentorship_id, number).await.context("reading the action")? else {
        return Ok(None);
    };
    if action.done || action.due_on != Some(due_on) || action.created_at > timer.due_at - chrono::Duration::days(1) {
        return Ok(None);
    }
    let Some(m) = members.iter().find(|m| m.user_id == action.owner_id) else { return Ok(None) };
    if !matches!(m.mode, MailMode::Each | MailMode::Live) {
        return Ok(None);
    }
    let tz: chrono_tz::Tz = m.timezone.parse().unwrap_or(chrono_tz::UTC);
    let Some(at) = deliver_at(m.mode, &m.settings, tz, now) else { return Ok(None) };
    let tr = Tr::new(m.locale, &m.timezone);
    let token = state.mailer.tokens.mentorship(m.user_id, timer.mentorship_id);
    store::mail::remember_tokens(
        &state.db,
        vec![(token.clone(), tokens::TokenKind::Mentorship, m.user_id, None, Some(timer.mentorship_id))],
        now,
    )
    .await
    .context("recording the mentorship token")?;
    let link = format!("{}/mentorships/{}#open-actions", state.mailer.public_url, timer.mentorship_id);
    let date = tr.date(due_on);
    let body = tr.args(
        "prompt-action-body",
        &[
            ("name", m.display_name.as_str().into()),
            ("other", others(members, m.user_id).as_str().into()),
            ("date", date.as_str().into()),
            ("number", number.into()),
            ("text", action.text.as_str().into()),
            ("link", link.as_str().into()),
        ],
    );
    let subject = tr.args("prompt-action-subject", &[("number", number.into()), ("date", date.as_str().into())]);
    let reply_to: Mailbox = format!("mentorship+{token}@{}", state.mailer.domain).parse().context("the mentorship's reply address")?;
    let rendered = build(&state.mailer, timer, m, &subject, reply_to, body)?;
    Ok(Some(Invitation { user: m.user_id, token: tokens::random(), mail: Some((rendered, at)) }))
}

// ---- the way back ----------------------------------------------------------------------

/// What a reply to a form mail came to.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Recorded: the answers as (label, answer), and the labels of unreadable ones.
    Recorded { answers: Vec<(String, String)>, unclear: Vec<String> },
    /// No answers found in the reply.
    Nothing,
    /// The form cannot be filled in any more.
    Closed,
}

/// The questions of a prompt's form for a member with `role`.
pub fn questions(kind: PromptKind, role: Role) -> &'static [Question] {
    match kind {
        PromptKind::Reflection => ReflectionAnswers::questions(role),
        PromptKind::Review => ReviewAnswers::questions(role),
        PromptKind::Closing => ClosingAnswers::questions(role),
        PromptKind::FollowUp => FollowUpAnswers::questions(role),
        PromptKind::Profile => Profile::questions(role),
        PromptKind::Closure | PromptKind::Action => &[],
    }
}

/// Labels the parsed answers for the mail that shows what was recorded.
pub fn labelled(tr: &Tr, kind: PromptKind, role: Role, parsed: &ParsedReply) -> Answer {
    let all = questions(kind, role);
    let label = |field: &str| all.iter().find(|q| q.field == field).map(|q| question_label(tr, kind, role, q)).unwrap_or_default();
    Answer::Recorded {
        answers: parsed.answers.iter().map(|(f, a)| (label(f), a.clone())).collect(),
        unclear: parsed.unclear.iter().map(|f| label(f)).collect(),
    }
}

/// Everything the answer to a reply needs.
pub struct AnswerMail<'a> {
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub tr: &'a Tr,
    /// Where the form is on the web.
    pub link: String,
    /// The reply's Message-ID, without angle brackets, to thread under it.
    pub in_reply_to: Option<&'a str>,
    /// The token the reply came to: the answer can be answered in turn.
    pub token: &'a str,
    /// The first question's label, for the example in a "nothing found" answer.
    pub first_question: String,
}

/// The short mail that answers a reply to a form mail (`Auto-Submitted: auto-replied`,
/// threaded under the reply).
pub fn render_answer(mailer: &Mailer, m: &AnswerMail, answer: &Answer) -> anyhow::Result<String> {
    let tr = m.tr;
    let name = ("name", m.to_name.into());
    let (subject, body) = match answer {
        Answer::Recorded { answers, unclear } => {
            let text = answers.iter().map(|(label, answer)| format!("{label}\n{answer}\n")).collect::<Vec<_>>().join("\n");
            let mut body = tr.args("prompt-recorded-body", &[name, ("text", text.as_str().into())]);
            if !unclear.is_empty() {
                body = format!("{body}\n\n{}", tr.ts("prompt-recorded-unclear", "names", &unclear.join("; ")));
            }
            body = format!("{body}\n\n{}", tr.ts("prompt-recorded-change", "link", &m.link));
            (tr.t("prompt-recorded-subject"), body)
        }
        Answer::Nothing => (
            tr.t("prompt-nothing-subject"),
            tr.args("prompt-nothing-body", &[name, ("text", m.first_question.as_str().into()), ("link", m.link.as_str().into())]),
        ),
        Answer::Closed => (tr.t("prompt-closed-subject"), tr.args("prompt-closed-body", &[name])),
    };
    let to = Mailbox::new(Some(compose::header_text(m.to_name)), m.to_email.parse().context("recipient address")?);
    let reply_to: Mailbox = format!("form+{}@{}", m.token, mailer.domain).parse().context("the form's reply address")?;
    let mut builder = mailer.answer_builder().reply_to(reply_to).to(to).subject(compose::header_text(&subject));
    if let Some(original) = m.in_reply_to.filter(|id| id.chars().all(|c| c.is_ascii_graphic() && c != '<' && c != '>')) {
        builder = builder.in_reply_to(format!("<{original}>")).references(format!("<{original}>"));
    }
    let message = builder.singlepart(plain_part(body + "\n")).context("building the answer")?;
    String::from_utf8(message.formatted()).context("a rendered mail is UTF-8")
}

/// Where a prompt's form is on the web.
pub fn form_link(mailer: &Mailer, kind: PromptKind, mentorship: MentorshipId, subject: &str) -> String {
    match kind {
        PromptKind::Reflection => format!("{}/mentorships/{mentorship}?reflect={subject}#reflections", mailer.public_url),
        PromptKind::Review => format!("{}/mentorships/{mentorship}/review", mailer.public_url),
        PromptKind::Closing => format!("{}/mentorships/{mentorship}/closing", mailer.public_url),
        PromptKind::FollowUp => format!("{}/mentorships/{mentorship}/follow-up", mailer.public_url),
        PromptKind::Profile => format!("{}/settings/about", mailer.public_url),
        PromptKind::Closure | PromptKind::Action => format!("{}/mentorships/{mentorship}", mailer.public_url),
    }
}
