//! Settings: how and when mail comes (general mode, digest hour and weekday, quiet
//! hours, a mode per mentorship, resuming after bounces), the profile (name,
//! language, time zone), "About you" (what the people of one's mentorships read, G5)
//! and the addresses someone writes from. One form per section,
//! each posting to its own route and coming back here with a confirmation line.

use super::session::{Member, Signed};
use super::signin::{Errors, FieldError, NoFields};
use super::{PageError, Ui, i18n::Tr, render, see_other};
use crate::state::AppState;
use crate::store;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mentorpost_model::mail::{MailMode, MailSettings, format_hhmm, parse_hhmm};
use mentorpost_model::{DisplayName, EmailAddress, Locale, MentorshipId, Profile, TimeZoneName, ValidationError};
use serde::Deserialize;

const MODES: [MailMode; 5] = [MailMode::Live, MailMode::Each, MailMode::Daily, MailMode::Weekly, MailMode::Off];

/// One choice of a radio group or select: its value, its words, whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

/// One mentorship's own mail mode.
pub struct MentorshipRow {
    pub id: MentorshipId,
    pub label: String,
    pub choices: Vec<Choice>,
}

/// What the mail form shows (stored values, or what was just typed).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    digest_hour: String,
    #[serde(default)]
    digest_weekday: String,
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
    #[serde(default)]
    missed_delay_minutes: String,
}

/// What the profile form shows.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    timezone: String,
}

/// What the "About you" form shows: the profile for one's mentorships (G5), as stored
/// or as just typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AboutForm {
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub experience: String,
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub hopes: String,
}

impl AboutForm {
    /// The fields as typed (shown again when the form has a problem).
    fn typed(&self) -> Profile {
        Profile {
            background: self.background.clone(),
            experience: self.experience.clone(),
            interests: self.interests.clone(),
            hopes: self.hopes.clone(),
        }
    }
}

/// One field of the "About you" form.
pub struct AboutField {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "web/settings.html")]
struct SettingsView {
    ui: Ui,
    notice: Option<String>,
    errors: Errors,
    modes: Vec<Choice>,
    hours: Vec<Choice>,
    weekdays: Vec<Choice>,
    quiet_start: String,
    quiet_end: String,
    missed_delay_minutes: String,
    paused_since: Option<String>,
    mentorships: Vec<MentorshipRow>,
    display_name: String,
    locales: Vec<Choice>,
    timezones: Vec<Choice>,
    email: String,
    extra_emails: Vec<String>,
    new_email: String,
    about: Vec<AboutField>,
    about_updated: Option<String>,
    security: super::security::SecuritySection,
}

/// What a settings page is shown with: anything typed that did not save, and why.
#[derive(Default)]
struct Typed {
    mail: Option<MailForm>,
    profile: Option<ProfileForm>,
    email: Option<EmailForm>,
    about: Option<AboutForm>,
    errors: Vec<FieldError>,
}

fn mode_choices(tr: &Tr, chosen: &str) -> Vec<Choice> {
    MODES
        .iter()
        .map(|m| Choice {
            value: m.as_str().to_owned(),
            label: tr.t(&format!("settings-mode-{}", m.as_str())),
            hint: tr.t(&format!("settings-mode-{}-hint", m.as_str())),
            selected: m.as_str() == chosen,
        })
        .collect()
}

fn plain(value: String, label: String, selected: bool) -> Choice {
    Choice { value, label, hint: String::new(), selected }
}

/// Time zones to choose from: Europe's, and a few where people of a European
/// programme often are; the person's own is always among them.
pub fn timezone_names(current: &str) -> Vec<&'static str> {
    const OTHERS: [&str; 14] = [
        "UTC",
        "Africa/Cairo",
        "Africa/Casablanca",
        "Africa/Johannesburg",
        "Africa/Lagos",
        "America/New_York",
        "America/Sao_Paulo",
        "America/Toronto",
        "Asia/Dubai",
        "Asia/Jakarta",
        "Asia/Kolkata",
        "Asia/Tokyo",
        "Atlantic/Canary",
        "Australia/Sydney",
    ];
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| (n.starts_with("Europe/") && !n.contains("Belfast") && !n.contains("Tiraspol")) || OTHERS.contains(n) || *n == current)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

async fn settings_page(state: &AppState, member: &Member, typed: Typed, notice: Option<String>) -> Result<Response, PageError> {
    let pool = state.db.pool();
    let tr = &member.tr;
    let me = store::users::get(pool, member.id()).await?.ok_or(PageError::SignIn { next: None })?;
    let settings = store::mail::settings(pool, member.id()).await?;
    let own_modes = store::mail::mentorship_modes(pool, member.id()).await?;
    let paused_since = store::inbound::paused_since(pool, member.id()).await?;
    let mentorships = store::inbox::mentorships(pool, member.id()).await?;
    let own_profile = store::profiles::own(pool, member.id()).await?.ok_or(PageError::SignIn { next: None })?;

    let mail = typed.mail.unwrap_or_else(|| MailForm {
        mode: settings.mode.as_str().to_owned(),
        digest_hour: settings.digest_hour.to_string(),
        digest_weekday: settings.digest_weekday.to_string(),
        quiet_start: settings.quiet_start.clone().unwrap_or_default(),
        quiet_end: settings.quiet_end.clone().unwrap_or_default(),
        missed_delay_minutes: settings.missed_delay_minutes.to_string(),
    });
    let profile = typed.profile.unwrap_or_else(|| ProfileForm {
        display_name: me.display_name.clone(),
        locale: me.locale.as_str().to_owned(),
        timezone: me.timezone.clone(),
    });
    let hours = (0..24u32).map(|h| plain(h.to_string(), format_hhmm(h * 60), h.to_string() == mail.digest_hour)).collect();
    let weekdays =
        (1..=7u32).map(|d| plain(d.to_string(), tr.t(&format!("settings-weekday-{d}")), d.to_string() == mail.digest_weekday)).collect();
    let locales = [Locale::En, Locale::Nl]
        .iter()
        .map(|l| plain(l.as_str().to_owned(), tr.t(&format!("settings-language-{}", l.as_str())), l.as_str() == profile.locale))
        .collect();
    let timezones =
        timezone_names(&me.timezone).into_iter().map(|n| plain(n.to_owned(), n.replace('_', " "), n == profile.timezone)).collect();
    let rows = mentorships
        .iter()
        .map(|m| {
            let own = own_modes.iter().find(|(id, _)| *id == m.id).map(|(_, mode)| mode.as_str()).unwrap_or("");
            let mut choices = vec![plain(String::new(), tr.t("settings-mentorship-follow"), own.is_empty())];
            choices.extend(
                MODES
                    .iter()
                    .map(|mode| plain(mode.as_str().to_owned(), tr.t(&format!("settings-mode-{}", mode.as_str())), mode.as_str() == own)),
            );
            MentorshipRow { id: m.id, label: m.others(member.id()).join(" & "), choices }
        })
        .collect();
    let shown = typed.about.as_ref().map(AboutForm::typed).unwrap_or_else(|| own_profile.profile.clone());
    let about = Profile::FIELDS
        .iter()
        .map(|&name| AboutField {
            name,
            label: tr.t(&format!("profile-{name}")),
            hint: tr.t(&format!("profile-{name}-hint")),
            value: shown.field(name).to_owned(),
        })
        .collect();
    let status = if typed.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = SettingsView {
        ui: Ui::for_member(member),
        notice,
        errors: Errors(typed.errors),
        modes: mode_choices(tr, &mail.mode),
        hours,
        weekdays,
        quiet_start: mail.quiet_start,
        quiet_end: mail.quiet_end,
        missed_delay_minutes: mail.missed_delay_minutes,
        paused_since: paused_since.map(|at| tr.when_full(at)),
        mentorships: rows,
        display_name: profile.display_name,
        locales,
        timezones,
        email: me.email,
        extra_emails: me.extra_emails,
        new_email: typed.email.map(|e| e.email).unwrap_or_default(),
        about,
        about_updated: own_profile.updated_at.map(|at| tr.when_full(at)),
        security: super::security::section(state, member, me.has_password).await?,
    };
    Ok((status, render(&view)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /settings`.
pub async fn page(State(state): State<AppState>, member: Member, Query(q): Query<DoneQuery>) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some(done @ ("mail" | "mentorship" | "resumed" | "profile" | "email")) => Some(member.tr.t(&format!("settings-done-{done}"))),
        Some("about") => Some(member.tr.t("profile-done")),
        Some(done @ ("password" | "signed-out" | "signed-out-others")) => Some(member.tr.t(&format!("security-done-{done}"))),
        Some("export") => Some(member.tr.tn("settings-done-export", "days", crate::http::exports::LINK_DAYS)),
        _ => None,
    };
    settings_page(&state, &member, Typed::default(), notice).await
}

/// The page again with a form's problems (the security section's forms).
pub async fn with_errors(state: &AppState, member: &Member, errors: Vec<FieldError>) -> Result<Response, PageError> {
    settings_page(state, member, Typed { errors, ..Typed::default() }, None).await
}

fn problem(tr: &Tr, field: &'static str, key: &str) -> FieldError {
    FieldError { field, message: tr.t(key) }
}

/// The message for a model's validation error, on the field the page has for it.
fn validation_problem(tr: &Tr, err: &ValidationError) -> FieldError {
    let key = match (err.field, err.code) {
        ("display_name", "name_required") => "settings-error-name-required",
        ("display_name", "name_too_long") => "settings-error-name-too-long",
        ("display_name", _) => "settings-error-name-invalid",
        ("timezone", _) => "settings-error-timezone",
        ("digest_hour", _) => "settings-error-hour",
        ("digest_weekday", _) => "settings-error-weekday",
        ("missed_delay_minutes", _) => "settings-error-delay",
        ("quiet_end", _) => "settings-error-quiet-same",
        (_, "incomplete_quiet_hours") => "settings-error-quiet-incomplete",
        _ => "settings-error-quiet-time",
    };
    let field = match err.field {
        "display_name" | "timezone" | "digest_hour" | "digest_weekday" | "missed_delay_minutes" | "quiet_end" => err.field,
        _ => "quiet_start",
    };
    problem(tr, field, key)
}

/// The mail form as settings, or what is wrong with it.
fn mail_settings(tr: &Tr, form: &MailForm) -> Result<MailSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mode = MailMode::parse(&form.mode);
    if mode.is_none() {
        errors.push(problem(tr, "mode", "settings-error-mode"));
    }
    let hour = form.digest_hour.trim().parse::<u32>().ok().filter(|h| *h < 24);
    if hour.is_none() {
        errors.push(problem(tr, "digest_hour", "settings-error-hour"));
    }
    let weekday = form.digest_weekday.trim().parse::<u32>().ok().filter(|d| (1..=7).contains(d));
    if weekday.is_none() {
        errors.push(problem(tr, "digest_weekday", "settings-error-weekday"));
    }
    let delay = form.missed_delay_minutes.trim().parse::<u32>().ok().filter(|m| (1..=1440).contains(m));
    if delay.is_none() {
        errors.push(problem(tr, "missed_delay_minutes", "settings-error-delay"));
    }
    let time = |s: &str| {
        let s = s.trim();
        if s.is_empty() { Ok(None) } else { parse_hhmm(s).map(|m| Some(format_hhmm(m))).ok_or(()) }
    };
    let (start, end) = (time(&form.quiet_start), time(&form.quiet_end));
    if start.is_err() {
        errors.push(problem(tr, "quiet_start", "settings-error-quiet-time"));
    }
    if end.is_err() {
        errors.push(problem(tr, "quiet_end", "settings-error-quiet-time"));
    }
    let (Some(mode), Some(digest_hour), Some(digest_weekday), Some(missed_delay_minutes), Ok(quiet_start), Ok(quiet_end)) =
        (mode, hour, weekday, delay, start, end)
    else {
        return Err(errors);
    };
    let settings = MailSettings { mode, digest_hour, digest_weekday, quiet_start, quiet_end, missed_delay_minutes };
    settings.validate().map_err(|e| vec![validation_problem(tr, &e)])?;
    Ok(settings)
}

/// `POST /settings/mail`: the general mail settings.
pub async fn save_mail(State(state): State<AppState>, signed: Signed<MailForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    match mail_settings(&member.tr, &form) {
        Ok(settings) => {
            store::mail::set_settings(&state.db, member.id(), settings, state.clock.now()).await?;
            Ok(see_other("/settings?done=mail"))
        }
        Err(errors) => settings_page(&state, &member, Typed { mail: Some(form), errors, ..Typed::default() }, None).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct MentorshipModeForm {
    #[serde(default)]
    mode: String,
}

/// `POST /settings/mentorships/{id}`: one mentorship's own mode (empty: follow the
/// general setting).
pub async fn save_mentorship_mode(
    State(state): State<AppState>,
    Path(id): Path<String>,
    signed: Signed<MentorshipModeForm>,
) -> Result<Response, PageError> {
    let id: MentorshipId = id.parse().map_err(|_| PageError::NotFound)?;
    let Signed { member, form, .. } = signed;
    let mode = match form.mode.as_str() {
        "" => None,
        other => Some(MailMode::parse(other).ok_or(PageError::BadForm)?),
    };
    let access = crate::http::mentorship_access(&state, &member.as_api_user(), id).await?;
    // As in the API: only members (present or former) have mail to tune.
    if access.role.is_none() {
        return Err(PageError::NotFound);
    }
    store::mail::set_mentorship_mode(&state.db, member.id(), id, mode, state.clock.now()).await?;
    Ok(see_other("/settings?done=mentorship"))
}

/// `POST /settings/mail/resume`: mail again after the address bounced.
pub async fn resume_mail(State(state): State<AppState>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let member = signed.member;
    if store::inbound::resume(&state.db, member.id()).await? {
        tracing::info!(user = %member.id(), "mail resumed after bounces (settings page)");
    }
    Ok(see_other("/settings?done=resumed"))
}

/// `POST /settings/profile`: name, language, time zone. The next page is in the new
/// language and zone (the session reads them from the account on every request).
pub async fn save_profile(State(state): State<AppState>, signed: Signed<ProfileForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let tr = &member.tr;
    let name = DisplayName::parse(&form.display_name);
    let locale = Locale::parse(form.locale.trim());
    let timezone = TimeZoneName::parse(&form.timezone);
    let mut errors = Vec::new();
    if let Err(e) = &name {
        errors.push(validation_problem(tr, e));
    }
    if locale.is_none() {
        errors.push(problem(tr, "locale", "settings-error-language"));
    }
    if let Err(e) = &timezone {
        errors.push(validation_problem(tr, e));
    }
    match (name, locale, timezone) {
        (Ok(name), Some(locale), Ok(timezone)) if errors.is_empty() => {
            store::users::update_profile(&state.db, member.id(), name, locale, timezone, state.clock.now()).await?;
            Ok(see_other("/settings?done=profile"))
        }
        _ => settings_page(&state, &member, Typed { profile: Some(form), errors, ..Typed::default() }, None).await,
    }
}

/// `POST /settings/about`: the profile the people of one's mentorships read (G5).
/// Every field's problem shows at once; nothing is saved while one remains.
pub async fn save_about(State(state): State<AppState>, signed: Signed<AboutForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let profile = form.typed().normalized();
    let errors: Vec<FieldError> = profile
        .problems()
        .iter()
        .map(|e| FieldError { field: e.field, message: member.tr.t(&format!("profile-error-{}-{}", e.field, e.code.replace('_', "-"))) })
        .collect();
    if !errors.is_empty() {
        return settings_page(&state, &member, Typed { about: Some(form), errors, ..Typed::default() }, None).await;
    }
    store::profiles::save(&state.db, member.id(), profile, state.clock.now()).await?;
    Ok(see_other("/settings?done=about"))
}

/// `POST /settings/emails`: add an address to write from. A link goes to the new
/// address; the address is added once someone there follows it. Whether the address
/// belongs to another account is not told: no mail goes out then, and the page says
/// the same as always.
pub async fn add_email(State(state): State<AppState>, signed: Signed<EmailForm>) -> Result<Response, PageError> {
    let Signed { member, form, .. } = signed;
    let tr = &member.tr;
    let again = |message: &str| {
        let errors = vec![problem(tr, "email", message)];
        settings_page(&state, &member, Typed { email: Some(form.clone()), errors, ..Typed::default() }, None)
    };
    let Ok(address) = EmailAddress::parse(form.email.trim()) else {
        return again("settings-error-email-invalid").await;
    };
    let owner = store::inbound::user_by_address(state.db.pool(), address.as_str()).await?;
    if owner == Some(member.id()) {
        return again("settings-error-email-yours").await;
    }
    if owner.is_none() {
        let now = state.clock.now();
        // At most one link a day to one address: the form cannot flood a mailbox.
        if !store::inbound::claim_notice(&state.db, address.as_str().to_owned(), "confirm_address", now).await? {
            return again("settings-error-email-wait").await;
        }
        let token = store::inbound::create_address_confirmation(&state.db, member.id(), address.as_str().to_owned(), now).await?;
        let link = format!("{}/mail/add-address/{token}", state.mailer.public_url);
        let rendered = state
            .mailer
            .render_address_confirmation(address.as_str(), &member.session.display_name, member.tr.locale(), &link)
            .map_err(PageError::Internal)?;
        store::inbound::queue_link_mail(&state.db, member.id(), address.as_str().to_owned(), rendered, now).await?;
        tracing::info!(user = %member.id(), "address confirmation mailed");
    }
    Ok(see_other("/settings?done=email"))
}

/// `POST /settings/export`: the person's data as a zip download, or, when it is large,
/// built in the background and mailed as a link (the page then says so).
pub async fn export(State(state): State<AppState>, signed: Signed<NoFields>) -> Result<Response, PageError> {
    let me = signed.member.id();
    if crate::http::exports::fits_inline(&state, me).await.map_err(PageError::from)? {
        return crate::http::exports::answer(&state, me, me).await.map_err(PageError::from);
    }
    crate::http::exports::start_in_background(state.clone(), me, me);
    Ok(see_other("/settings?done=export"))
}
