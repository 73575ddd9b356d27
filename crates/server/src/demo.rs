//! The demo programme, so a newcomer sees something at once: a coordinator, two
//! mentors, two mentees (one e-mail-only), their profiles (Henk, by e-mail only, has
//! none), two mentorships with agreements and a few threads. Names are deliberately
//! not ASCII-only.

use crate::state::AppState;
use crate::store;
use crate::store::mentorships::NewMentorship;
use crate::store::threads::NewMessage;
use crate::store::users::NewUser;
use anyhow::Context;
use chrono::Duration;
use mentorpost_auth::password;
use mentorpost_model::agreement::ConfirmedVia;
use mentorpost_model::api::MemberSpec;
use mentorpost_model::session::NewAction;
use mentorpost_model::{
    AgreementContent, DisplayName, EmailAddress, Locale, MeetingMode, MentorshipStatus, MessageBody, MessageSource, Profile, Rhythm, Role,
    Subject, TimeZoneName, UserId,
};

/// A demo thread: mentorship, who starts it, subject, messages (author, body).
type DemoThread<'a> = (mentorpost_model::MentorshipId, UserId, &'a str, &'a [(UserId, &'a str)]);

/// The password of every demo account that has one.
pub const DEMO_PASSWORD: &str = "mentorpost-demo";

/// One demo login, for printing.
pub struct DemoLogin {
    pub role: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub password: Option<&'static str>,
}

pub const DEMO_PEOPLE: &[DemoLogin] = &[
    DemoLogin { role: "admin", name: "Beheer", email: "admin@demo.mentorpost.localhost", password: Some(DEMO_PASSWORD) },
    DemoLogin { role: "coordinator", name: "Anneke de Vries", email: "anneke@demo.mentorpost.localhost", password: Some(DEMO_PASSWORD) },
    DemoLogin { role: "mentor", name: "Çağrı Yılmaz", email: "cagri@demo.mentorpost.localhost", password: Some(DEMO_PASSWORD) },
    DemoLogin {
        role: "mentor", name: "Małgorzata Kowalska", email: "malgorzata@demo.mentorpost.localhost", password: Some(DEMO_PASSWORD)
    },
    DemoLogin { role: "mentee", name: "João Pereira", email: "joao@demo.mentorpost.localhost", password: Some(DEMO_PASSWORD) },
    DemoLogin { role: "mentee (e-mail only)", name: "Henk Jansen", email: "henk@demo.mentorpost.localhost", password: None },
];

/// Seeds the demo unless the database already has people in it. Returns whether it did.
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if store::users::count(state.db.pool()).await.map_err(|e| anyhow::anyhow!("{e}"))? > 0 {
        return Ok(false);
    }
    seed(state).await?;
    Ok(true)
}

async fn seed(state: &AppState) -> anyhow::Result<()> {
    let now = state.clock.now();
    let hash = tokio::task::spawn_blocking(|| password::hash_password(DEMO_PASSWORD)).await?.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut ids: Vec<UserId> = Vec::new();
    for person in DEMO_PEOPLE {
        let new = NewUser {
            email: EmailAddress::parse(person.email)?,
            display_name: DisplayName::parse(person.name)?,
            password_hash: person.password.map(|_| hash.clone()),
            locale: if person.name.contains("Henk") || person.name.contains("Anneke") { Locale::Nl } else { Locale::En },
            timezone: TimeZoneName::parse(if person.name.contains("Małgorzata") {
                "Europe/Warsaw"
            } else if person.name.contains("João") {
                "Europe/Lisbon"
            } else {
                "Europe/Amsterdam"
            })?,
            is_admin: person.role == "admin",
            programme_id: None,
        };
        ids.push(store::users::create(&state.db, new, now).await.map_err(|e| anyhow::anyhow!("{e}"))?.id);
    }
    let [_admin, coordinator, cagri, malgorzata, joao, henk] = ids[..] else { anyhow::bail!("demo people missing") };
    // What the participants tell the people they are paired with (G5).
    let profiles = [
        (
            cagri,
            Profile {
                background: "Grew up in İzmir, studied computer science in Delft, now a developer at a Rotterdam housing association."
                    .into(),
                experience: "Taught my grandparents to video call; run a weekly digital help desk in the library.".into(),
                interests: "Football, Turkish cooking, making technology less scary.".into(),
                hopes: "To make everyday online tasks feel easy, and to learn how older colleagues handle change.".into(),
            },
        ),
        (
            malgorzata,
            Profile {
                background: "Engineer from Kraków; twelve years in logistics in Poland and the Netherlands.".into(),
                experience: "Led teams of five to twenty people; started as a planner myself.".into(),
                interests: "Long-distance cycling, leadership books, Polish jazz.".into(),
                hopes: "To pass on what I learned the hard way about a first team-lead role.".into(),
            },
        ),
        (
            joao,
            Profile {
                background: "From Porto, in Lisbon since 2020; customer-support specialist in a software company.".into(),
                experience: "Five years of support, two of them training new colleagues.".into(),
                interests: "Surfing, fado, how teams make decisions.".into(),
                hopes: "To get ready for my first team-lead role: one-on-ones, feedback, planning.".into(),
            },
        ),
    ];
    for (person, profile) in profiles {
        store::profiles::save(&state.db, person, profile, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let programme = store::programmes::create(&state.db, "Demo".into(), TimeZoneName::parse("Europe/Amsterdam")?, Rhythm::default(), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store::programmes::add_coordinator(&state.db, programme, coordinator, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;

    // Reverse mentoring (G14): the younger Çağrı mentors Henk on digital skills.
    let reverse = NewMentorship {
        programme_id: programme,
        members: vec![MemberSpec { user_id: cagri, role: Role::Mentor }, MemberSpec { user_id: henk, role: Role::Mentee }],
        start_date: Some((now - Duration::days(21)).date_naive()),
        rhythm: Rhythm { contact_every_days: 7, response_within_hours: 48, meeting_rhythm: "wekelijks videogesprek op donderdag".into() },
        status: MentorshipStatus::Active,
        replaces: None,
    };
    let first = store::mentorships::create(&state.db, reverse, coordinator, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let classic = NewMentorship {
        programme_id: programme,
        members: vec![MemberSpec { user_id: malgorzata, role: Role::Mentor }, MemberSpec { user_id: joao, role: Role::Mentee }],
        start_date: Some((now - Duration::days(10)).date_naive()),
        rhythm: Rhythm { contact_every_days: 14, response_within_hours: 72, meeting_rhythm: "every other week, video call".into() },
        status: MentorshipStatus::Active,
        replaces: None,
    };
    let second = store::mentorships::create(&state.db, classic, coordinator, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    store::mentorships::set_content(
        &state.db,
        first,
        AgreementContent {
            ground_rules: "We antwoorden binnen twee dagen. Wat we bespreken blijft tussen ons. Eén onderwerp per draad.".into(),
            goals: "Henk kan vóór 1 maart zelfstandig een videogesprek starten en het formulier van de gemeente online invullen.".into(),
            action_plan: "Week 2: een videogesprek opzetten en een link delen.\nWeek 4: inloggen bij de gemeente met DigiD.\nWeek 8: het formulier samen invullen en versturen.".into(),
            topics_excluded: "Geld en bankzaken.".into(),
            mentor_time: "Een uur per week, op donderdagochtend.".into(),
            ending_early: "Wie wil stoppen, zegt het eerlijk in een bericht; we vragen Anneke om mee te denken.".into(),
            end_date: Some((now + Duration::days(90)).date_naive()),
        },
        cagri,
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    store::mentorships::set_content(
        &state.db,
        second,
        AgreementContent {
            ground_rules: "Reply within three days; say so when busy. Keep one topic per thread.".into(),
            goals: "João prepares for his first team-lead role within six months.".into(),
            action_plan: "Month 1: a list of questions for each one-on-one.\nMonth 3: run a team meeting and reflect on it together."
                .into(),
            topics_excluded: "Salary negotiations at João's employer.".into(),
            mentor_time: "Two hours a month.".into(),
            ending_early: "Either of us can end it after a last call to close off.".into(),
            end_date: Some((now + Duration::days(180)).date_naive()),
        },
        malgorzata,
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;

    // The reverse pair confirmed their agreement (Henk by replying "akkoord"); the other
    // pair has not yet.
    for (who, via) in [(cagri, ConfirmedVia::Web), (henk, ConfirmedVia::Email)] {
        store::agreements::confirm(&state.db, first, who, None, via, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }

    let threads: [DemoThread; 3] = [
        (
            first,
            cagri,
            "Kennismaking en afspraken over videobellen",
            &[
                (
                    cagri,
                    "Dag Henk, fijn dat we gekoppeld zijn! Zullen we donderdag om 10 uur een eerste videogesprek doen? Ik stuur je dan een link.",
                ),
                (henk, "Dag Çağrı, donderdag 10 uur is goed. Ik heb nog nooit zo'n link gebruikt, dus ik ben benieuwd."),
            ],
        ),
        (
            first,
            henk,
            "Vraag over het formulier van de gemeente",
            &[(
                henk,
                "Ik moet een formulier invullen op de website van de gemeente, maar ik kom niet verder dan de inlogpagina. Kunnen we daar volgende week naar kijken?",
            )],
        ),
        (
            second,
            joao,
            "Preparing for my first one-on-one as a team lead",
            &[
                (joao, "Hi Małgorzata, next month I will have my first one-on-ones with my new team. How did you prepare for yours?"),
                (
                    malgorzata,
                    "Good question, João. I wrote down three open questions per person beforehand. Shall we go through your list on our next call?",
                ),
            ],
        ),
    ];
    for (mentorship, creator, subject, messages) in threads {
        let mut iter = messages.iter();
        let Some((_, first_body)) = iter.next() else {
            continue;
        };
        let first_message = NewMessage {
            author: creator,
            body: MessageBody::parse(first_body)?,
            client_msg_id: None,
            source: MessageSource::Web,
            attachments: Vec::new(),
        };
        let (thread, _) = store::threads::create(&state.db, mentorship, Subject::parse(subject)?, first_message, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (author, body) in iter {
            let new = NewMessage {
                author: *author,
                body: MessageBody::parse(body)?,
                client_msg_id: None,
                source: MessageSource::Web,
                attachments: Vec::new(),
            };
            store::threads::post(&state.db, thread.id, new, now).await.map_err(|e| anyhow::anyhow!("{e}")).context("demo message")?;
        }
    }

    // A session (F5) of the reverse pair, with the actions they agreed.
    let held = now - Duration::days(2);
    let local_day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let action = |text: &str, owner, due_in: i64| {
        let name = if owner == henk { "Henk Jansen" } else { "Çağrı Yılmaz" };
        (NewAction { text: text.into(), owner_id: owner, due_on: Some(local_day(now + Duration::days(due_in))) }, name.to_owned())
    };
    let session = store::health::NewMeeting {
        mentorship: first,
        logged_by: cagri,
        date: local_day(held),
        held_at: held,
        duration_minutes: 45,
        mode: MeetingMode::Video,
        note: None,
        learning_goal: Some("Henk start zelf een videogesprek, zonder hulp.".into()),
        explored: Some("Waar de knop voor de camera zit, en wat te doen als het geluid wegvalt.".into()),
        actions: vec![
            action("Een stappenplan op papier sturen", cagri, 1),
            action("Zelf een testgesprek starten met zijn dochter", henk, 4),
        ],
    };
    store::health::log_meeting(&state.db, session, now).await.map_err(|e| anyhow::anyhow!("{e}")).context("demo session")?;
    Ok(())
}

/// The logins, for the terminal.
pub fn describe(public_url: &str) -> String {
    let mut out = format!("Demo programme ready at {public_url}\n\n");
    for p in DEMO_PEOPLE {
        let pw = p.password.map(|p| format!("password {p}")).unwrap_or_else(|| "no password (e-mail only)".into());
        out.push_str(&format!("  {:<22} {:<22} {:<40} {}\n", p.role, p.name, p.email, pw));
    }
    out
}
