//! The `mentorpost` command line. Every setting also reads a `MENTORPOST_*`
//! environment variable; flags win over the environment, which wins over defaults.

use crate::app::{App, cancel_on_signals};
use crate::config::Config;
use crate::store;
use crate::store::users::NewUser;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use mentorpost_auth::password;
use mentorpost_model::{DisplayName, EmailAddress, Locale, TimeZoneName};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(name = "mentorpost", version, about = "Asynchronous e-mentoring: threads, live delivery, e-mail participation")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder for local state: the SQLite database and mail written to files.
    #[arg(long, global = true, env = "MENTORPOST_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB. Default: SQLite in the data dir.
    #[arg(long, global = true, env = "MENTORPOST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log lines as text (for people) or as one JSON object per line (for log
    /// shippers); a line written while a request is handled carries its request id.
    #[arg(long, global = true, env = "MENTORPOST_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// A TOML file of settings, keyed by these flags' names (`mentorpost config
    /// --print-defaults` writes one); flags and environment variables win over it.
    #[arg(long, global = true, env = "MENTORPOST_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates first).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// The configuration file's reference: every setting, its environment variable and
    /// its default, as TOML.
    Config {
        /// Print every setting with its default.
        #[arg(long)]
        print_defaults: bool,
    },
    /// Copy a running SQLite instance into a new file (a consistent snapshot,
    /// attachments included; the server keeps serving). PostgreSQL: use pg_dump.
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Move a whole SQLite instance into an empty PostgreSQL database (every table,
    /// ids, event sequences; logins and links keep working), then check the counts.
    Copy {
        /// The SQLite instance: sqlite://FILE (stop its server first).
        #[arg(long)]
        from: String,
        /// The empty PostgreSQL database: postgres://USER@HOST/DB.
        #[arg(long)]
        to: String,
    },
    /// Put a backup in place of the instance's SQLite database. Stop the server first.
    Restore {
        /// The backup file (from `mentorpost backup`).
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that holds people.
        #[arg(long)]
        force: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Seed the demo programme into an empty database and print its logins and the
    /// address `serve` will answer on.
    Demo(DemoArgs),
    /// Mail: failed deliveries, people's preferences.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Receive one mail from standard input (for an MTA's pipe), or list received
    /// mail that failed. Exit status 75 (temporary failure) when it could not be
    /// stored, so the MTA tries again.
    Inbound(InboundArgs),
    /// Run the retention job now: warn the members of closed mentorships whose content
    /// goes in 30 days, remove the content whose time has come, sweep sent mail and
    /// expired credentials. With --dry-run, print what it would do and change nothing.
    Retention(RetentionArgs),
    /// Ask a running server on this machine whether it is ready (`GET /readyz`): exit
    /// status 0 when it is, 1 when not. For container health checks, where the image
    /// holds no HTTP client.
    Probe(ProbeArgs),
    /// Invite the people of a CSV list into a programme (columns name, email, role and
    /// optionally language and timezone). Every row is checked first: when any row is
    /// bad, its problems are printed, nothing is written and the exit status is 1.
    Invite(InviteArgs),
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The address the server listens on (as `serve --http`); a listener on every
    /// interface is asked over loopback.
    #[arg(long, env = "MENTORPOST_HTTP", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// The path to ask.
    #[arg(long, default_value = "/readyz")]
    pub path: String,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The programme's id.
    #[arg(long)]
    pub programme: String,
    /// The CSV file (UTF-8 or Windows-1252; `,`, `;` or tab separated).
    #[arg(long)]
    pub csv: PathBuf,
    /// Language of rows that name none.
    #[arg(long, default_value = "en")]
    pub language: String,
    /// Domain of the service's own mail addresses (the invitations' reply addresses).
    #[arg(long, env = "MENTORPOST_MAIL_DOMAIN", default_value = "mentorpost.localhost")]
    pub mail_domain: String,
    /// Public base URL, used in the invitations' links.
    #[arg(long, env = "MENTORPOST_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Days an invitation stays valid.
    #[arg(long, env = "MENTORPOST_INVITATION_DAYS", default_value_t = 14)]
    pub invitation_days: i64,
}

/// `demo` only seeds; it takes `serve`'s address settings (flags or environment) to
/// print where the demo will be.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address `serve` listens on.
    #[arg(long, env = "MENTORPOST_HTTP", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// Public base URL `serve` is reached at. Default: http://<listen address>.
    #[arg(long, env = "MENTORPOST_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Count what a run would do; change nothing and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Domain of the service's own mail addresses.
    #[arg(long, env = "MENTORPOST_MAIL_DOMAIN", default_value = "mentorpost.localhost")]
    pub mail_domain: String,
    /// Public base URL, used in the warning mails' links.
    #[arg(long, env = "MENTORPOST_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
}

#[derive(Debug, Args)]
pub struct InboundArgs {
    #[command(subcommand)]
    pub command: Option<InboundCommand>,
    /// Domain of the service's own mail addresses.
    #[arg(long, env = "MENTORPOST_MAIL_DOMAIN", default_value = "mentorpost.localhost")]
    pub mail_domain: String,
    /// Public base URL, used in links in the mails this may send.
    #[arg(long, env = "MENTORPOST_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Envelope recipient(s) as the MTA delivered the mail (e.g. Postfix's ${original_recipient}).
    #[arg(long = "recipient")]
    pub recipients: Vec<String>,
    /// Envelope sender (e.g. Postfix's ${sender}).
    #[arg(long)]
    pub sender: Option<String>,
    #[command(flatten)]
    pub limits: InboundLimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum InboundCommand {
    /// List received mail that could not be read (with --rejected: also refused mail).
    Failed {
        #[arg(long)]
        rejected: bool,
    },
}

#[derive(Debug, Args)]
pub struct InboundLimitArgs {
    /// Largest incoming mail in bytes.
    #[arg(long, env = "MENTORPOST_INBOUND_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub inbound_max_bytes: usize,
    /// Largest total of attachments stored with one message, in bytes.
    #[arg(long, env = "MENTORPOST_ATTACHMENTS_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub attachments_max_bytes: usize,
    /// Days the raw received mail is kept for support.
    #[arg(long, env = "MENTORPOST_KEEP_RAW_MAIL_DAYS", default_value_t = 30)]
    pub keep_raw_mail_days: i64,
}

impl InboundLimitArgs {
    fn limits(&self) -> crate::inbound::InboundLimits {
        crate::inbound::InboundLimits {
            max_bytes: self.inbound_max_bytes,
            max_attachment_bytes: self.attachments_max_bytes,
            keep_raw_days: self.keep_raw_mail_days.max(0),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// List mail that failed after every retry.
    Failed,
    /// Run the journey's prompt scheduler now (reflection invitations, reviews,
    /// closing, follow-ups, action reminders): prints, per round, the timers it added,
    /// the timers it fired, the invitations it queued and the milliseconds it took. The
    /// server's outbox sends the mail. Harmless beside a running server: a timer fires
    /// once whoever runs the round.
    Prompts {
        /// Rounds to run, one after the other.
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
    /// Show a person's mail preferences, or change them.
    Settings {
        #[arg(long)]
        email: String,
        /// live | each | daily | weekly | off
        #[arg(long)]
        mode: Option<String>,
        /// Local hour (0-23) of the daily or weekly digest.
        #[arg(long)]
        digest_hour: Option<u32>,
        /// ISO weekday of the weekly digest: 1 = Monday … 7 = Sunday.
        #[arg(long)]
        digest_weekday: Option<u32>,
        /// Quiet hours as local HH:MM-HH:MM, or "none".
        #[arg(long)]
        quiet: Option<String>,
        /// `live`: minutes a message may stay unread before it is mailed.
        #[arg(long)]
        missed_delay: Option<u32>,
        /// Set the mode for this mentorship only ("default" clears it).
        #[arg(long)]
        mentorship: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MENTORPOST_HTTP", default_value = "127.0.0.1:8080")]
    pub http: SocketAddr,
    /// Public base URL, used in links in mails. Default: http://<listen address>.
    #[arg(long, env = "MENTORPOST_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Domain of the service's own mail addresses.
    #[arg(long, env = "MENTORPOST_MAIL_DOMAIN", default_value = "mentorpost.localhost")]
    pub mail_domain: String,
    /// SMTP server for outgoing mail: smtp://[user:pass@]host[:port][?tls=starttls] or
    /// smtps://…; without it mail is written as .eml files under <data dir>/mail/.
    #[arg(long, env = "MENTORPOST_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Seconds for connecting to the SMTP server (TCP, TLS, greeting, EHLO).
    #[arg(long, env = "MENTORPOST_SMTP_CONNECT_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub smtp_connect_timeout: u64,
    /// Seconds the SMTP server may take to answer each command.
    #[arg(long, env = "MENTORPOST_SMTP_COMMAND_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub smtp_command_timeout: u64,
    /// Seconds one mail may take in all; a mail that runs out is retried later.
    #[arg(long, env = "MENTORPOST_SMTP_SEND_TIMEOUT", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub smtp_send_timeout: u64,
    /// Seed demo data into an empty database.
    #[arg(long, env = "MENTORPOST_DEMO")]
    pub demo: bool,
    /// Further browser origins allowed to open WebSockets (comma-separated).
    #[arg(long = "ws-allowed-origin", env = "MENTORPOST_WS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub ws_allowed_origins: Vec<String>,
    /// Reverse proxies (IP addresses, comma-separated) whose `X-Forwarded-For` header
    /// names the real client, for per-address login limits, and whose `X-Request-Id`
    /// is kept.
    #[arg(long = "trusted-proxy", env = "MENTORPOST_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Listen for incoming mail over SMTP on this address, e.g. 127.0.0.1:2525.
    #[arg(long, env = "MENTORPOST_SMTP_LISTEN")]
    pub smtp_listen: Option<SocketAddr>,
    /// Serve Prometheus metrics (`GET /metrics`) on this address, e.g. 127.0.0.1:9464;
    /// a separate listener, never the public one. Off when not given.
    #[arg(long, env = "MENTORPOST_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate for STARTTLS on the SMTP listener (with --smtp-tls-key).
    #[arg(long, env = "MENTORPOST_SMTP_TLS_CERT", requires = "smtp_tls_key")]
    pub smtp_tls_cert: Option<PathBuf>,
    /// PEM private key for STARTTLS on the SMTP listener.
    #[arg(long, env = "MENTORPOST_SMTP_TLS_KEY", requires = "smtp_tls_cert")]
    pub smtp_tls_key: Option<PathBuf>,
    /// Bearer secret for POST /api/v1/inbound/email (at least 32 characters); without
    /// it the endpoint is off.
    #[arg(long, env = "MENTORPOST_INBOUND_SECRET", hide_env_values = true)]
    pub inbound_secret: Option<String>,
    /// Seconds the server keeps serving after SIGTERM/SIGINT (/readyz answers 503,
    /// responses close their connections) before it stops; 0 stops at once.
    #[arg(long, env = "MENTORPOST_DRAIN_SECONDS", default_value_t = 5)]
    pub drain_seconds: u64,
    /// Days an invitation's link (and reply address) stays valid.
    #[arg(long, env = "MENTORPOST_INVITATION_DAYS", default_value_t = 14)]
    pub invitation_days: i64,
    /// Hours after writing it during which an author may edit or delete a message
    /// (0: never).
    #[arg(long, env = "MENTORPOST_EDIT_WINDOW_HOURS", default_value_t = 24, value_parser = clap::value_parser!(i64).range(0..=8760))]
    pub edit_window_hours: i64,
    /// For black-box tests only: run on an adjustable clock moved by
    /// `POST /test/clock/advance` (answered to loopback peers only). Refused unless the
    /// server listens on a loopback address.
    #[arg(long, env = "MENTORPOST_TEST_CLOCK", hide = true)]
    pub test_clock: bool,
    #[command(flatten)]
    pub inbound: InboundLimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Omit for an e-mail-only participant.
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        admin: bool,
        #[arg(long, default_value = "en")]
        locale: String,
        #[arg(long, default_value = "Europe/Amsterdam")]
        timezone: String,
    },
    /// List accounts.
    List,
    /// Set or replace a password.
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
    /// Write everything the service holds about a person into a zip (their right of
    /// access): JSON files, attachments and an index.html to read offline.
    Export {
        #[arg(long)]
        email: String,
        /// The zip to write; default `mentorpost-export-<date>.zip` in the current folder.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Erase a person's account (their right to be forgotten): profile and addresses
    /// go, their messages follow the programme's policy (removed, or kept under
    /// "Former participant"). Cannot be undone; running it again finishes an erasure
    /// that was interrupted.
    Erase {
        #[arg(long)]
        email: String,
        /// Why, for the record (for example "asked by letter of 3 May").
        #[arg(long)]
        reason: String,
        /// Test hook: stop after this many batches and wait to be killed.
        #[arg(long, hide = true)]
        pause_after_batches: Option<u64>,
    },
}

impl GlobalArgs {
    fn config(&self) -> Config {
        let mut config = Config::for_data_dir(self.data_dir.clone());
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
        }
        config.jwt_secret = std::env::var("MENTORPOST_JWT_SECRET").ok().filter(|s| !s.is_empty());
        config
    }
}

/// Parses arguments, sets up logging and runs the command.
pub fn main() -> std::process::ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cmd = Cli::command();
    if let Some(file) = crate::config_file::named_in(&args) {
        match crate::config_file::apply(cmd, &file) {
            Ok(with_file) => cmd = with_file,
            Err(err) => {
                eprintln!("error: {err:#}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let cli = match Cli::from_arg_matches(&cmd.get_matches_from(args)) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    if let Command::Config { .. } = cli.command {
        print!("{}", crate::config_file::reference(&Cli::command()));
        return std::process::ExitCode::SUCCESS;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("MENTORPOST_LOG").unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.global.log_format {
        LogFormat::Text => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        // The current span's fields (the request id) sit in `span`; the outer ones in `spans`.
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(true).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.global.config();
    match cli.command {
        Command::Serve(args) => {
            let args = *args;
            let listener = tokio::net::TcpListener::bind(args.http).await.with_context(|| format!("listening on {}", args.http))?;
            // With port 0 the real port is known only now; mailed links need it.
            config.http = listener.local_addr().context("reading the listen address")?;
            config.public_url = crate::config::public_url_for(config.http, args.public_url.as_deref());
            config.mail_domain = args.mail_domain;
            config.smtp_url = args.smtp_url.filter(|u| !u.is_empty());
            config.smtp_timeouts = crate::config::SmtpTimeouts {
                connect: std::time::Duration::from_secs(args.smtp_connect_timeout),
                command: std::time::Duration::from_secs(args.smtp_command_timeout),
                send: std::time::Duration::from_secs(args.smtp_send_timeout),
            };
            config.demo = args.demo;
            config.ws_allowed_origins = args.ws_allowed_origins;
            config.trusted_proxies = args.trusted_proxies;
            config.smtp_listen = args.smtp_listen;
            config.metrics_listen = args.metrics_listen;
            config.smtp_tls = args.smtp_tls_cert.zip(args.smtp_tls_key);
            config.inbound_secret = args.inbound_secret.filter(|s| !s.is_empty());
            if config.inbound_secret.as_ref().is_some_and(|s| s.len() < 32) {
                anyhow::bail!("MENTORPOST_INBOUND_SECRET must be at least 32 characters");
            }
            config.inbound = args.inbound.limits();
            config.drain = std::time::Duration::from_secs(args.drain_seconds);
            config.invitation_days = args.invitation_days.max(1);
            config.edit_window = chrono::Duration::hours(args.edit_window_hours);
            let public_url = config.public_url.clone();
            let demo = config.demo;
            if args.test_clock && !args.http.ip().is_loopback() {
                anyhow::bail!("--test-clock is for tests on a loopback address only");
            }
            let app = if args.test_clock {
                let clock = Arc::new(mentorpost_model::ManualClock::new());
                tracing::warn!("the test clock is on: POST /test/clock/advance moves time");
                let mut app = App::build_with_clock(config, clock.clone()).await?;
                app.test_clock = Some(clock);
                app
            } else {
                App::build(config).await?
            };
            if demo {
                eprintln!("{}", crate::demo::describe(&public_url));
            }
            let shutdown = CancellationToken::new();
            cancel_on_signals(shutdown.clone());
            app.run(listener, shutdown).await
        }
        Command::Backup { to } => {
            let started = std::time::Instant::now();
            let s = crate::db::backup::backup(&config.database_url, &to).await?;
            println!(
                "{}\t{} bytes\t{} messages\t{} attachments\t{} ms",
                to.display(),
                s.bytes,
                s.messages,
                s.attachments,
                started.elapsed().as_millis()
            );
            Ok(())
        }
        Command::Copy { from, to } => {
            let started = std::time::Instant::now();
            let report = crate::db::copy::copy(&from, &to).await?;
            for (table, rows) in &report.tables {
                println!("{table}\t{rows}");
            }
            println!("copied\t{} rows\t{} ms\tverified", report.rows(), started.elapsed().as_millis());
            Ok(())
        }
        Command::Restore { from, force } => {
            let s = crate::db::backup::restore(&from, &config.database_url, force).await?;
            println!("restored\t{} bytes\t{} messages\t{} attachments", s.bytes, s.messages, s.attachments);
            Ok(())
        }
        // Answered before logging starts (it prints only the reference).
        Command::Config { .. } => Ok(()),
        Command::Migrate => {
            let db = crate::db::Db::connect(&config.database_url).await?;
            db.migrate().await?;
            db.close().await;
            eprintln!("migrations applied ({})", db.backend().name());
            Ok(())
        }
        Command::Demo(args) => {
            let app = App::build(config).await?;
            let seeded = crate::demo::seed_if_empty(&app.state).await?;
            app.state.db.close().await;
            if seeded {
                if args.http.port() == 0 && args.public_url.is_none() {
                    // Port 0 is chosen when `serve` starts; it prints it then.
                    println!("{}", crate::demo::describe("the address `mentorpost serve` prints when it starts"));
                } else {
                    println!("{}", crate::demo::describe(&crate::config::public_url_for(args.http, args.public_url.as_deref())));
                }
                println!("Start it with: mentorpost serve");
            } else {
                println!("the database already has people in it; the demo was not seeded");
            }
            Ok(())
        }
        Command::User(cmd) => user_command(config, cmd).await,
        Command::Mail(cmd) => mail_command(config, cmd).await,
        Command::Inbound(args) => inbound_command(config, args).await,
        Command::Invite(args) => invite_command(config, args).await,
        Command::Probe(args) => crate::probe::ready(args.http, &args.path).await,
        Command::Retention(args) => retention_command(config, args).await,
    }
}

async fn retention_command(mut config: Config, args: RetentionArgs) -> anyhow::Result<()> {
    config.mail_domain = args.mail_domain;
    config.public_url = args.public_url;
    let app = App::build(config).await?;
    let report = crate::mail::retention::run_once(&app.state, args.dry_run).await;
    if report.is_ok() && !args.dry_run {
        // The warnings it queued go out now, not at the next start of the server.
        crate::mail::outbox::dispatch_due(&app.state).await.context("sending the warnings")?;
    }
    app.state.db.close().await;
    let report = report?;
    let verb = if report.dry_run { "would" } else { "did" };
    println!("retention ({verb}):");
    println!("  warn\t{} mentorships\t{} mails", report.warned, report.warning_mails);
    println!("  remove\t{} mentorships\t{} {}", report.removed, report.rows_changed, if report.dry_run { "messages" } else { "rows" });
    for (what, n) in &report.swept {
        println!("  sweep\t{what}\t{n}");
    }
    Ok(())
}

async fn invite_command(mut config: Config, args: InviteArgs) -> anyhow::Result<()> {
    config.mail_domain = args.mail_domain;
    config.public_url = args.public_url;
    config.invitation_days = args.invitation_days.max(1);
    let programme: mentorpost_model::ProgrammeId =
        args.programme.parse().map_err(|_| anyhow::anyhow!("--programme is not a programme id"))?;
    let locale = Locale::parse(&args.language).ok_or_else(|| anyhow::anyhow!("--language must be en or nl"))?;
    let bytes = std::fs::read(&args.csv).with_context(|| format!("reading {}", args.csv.display()))?;
    let app = App::build(config).await?;
    let result = invite_rows(&app.state, programme, &bytes, locale).await;
    app.state.db.close().await;
    match result? {
        0 => Ok(()),
        bad => {
            eprintln!("error: {bad} bad row(s); nothing was written");
            std::process::exit(1);
        }
    }
}

/// Checks every row and invites them all, or prints the problems and writes nothing.
/// Returns the number of bad rows.
async fn invite_rows(
    state: &crate::state::AppState,
    programme: mentorpost_model::ProgrammeId,
    bytes: &[u8],
    locale: Locale,
) -> anyhow::Result<usize> {
    let view = store::programmes::get(state.db.pool(), programme).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let view = view.ok_or_else(|| anyhow::anyhow!("no programme with this id"))?;
    let checked = crate::http::invitations::check_list(state, &view, bytes, locale).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let tr = crate::i18n::Tr::new(Locale::En, "UTC");
    for problem in &checked.file_problems {
        eprintln!("{}", crate::http::invitations::file_problem_text(&tr, problem));
    }
    if !checked.file_problems.is_empty() {
        return Ok(checked.file_problems.len());
    }
    for row in checked.rows.iter().filter(|r| !r.problems.is_empty()) {
        let problems: Vec<String> = row.problems.iter().map(|p| crate::http::invitations::row_problem_text(&tr, p)).collect();
        eprintln!("line {}: {}", row.line, problems.join("; "));
    }
    if checked.bad_rows() > 0 {
        return Ok(checked.bad_rows());
    }
    let invitees: Vec<_> = checked.valid().cloned().collect();
    let count = invitees.len();
    crate::http::invitations::invite(state, &view, None, invitees).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{count} invitation(s) queued; they go out when `mentorpost serve` runs");
    Ok(0)
}

/// Exit status for "try again later" (sysexits.h EX_TEMPFAIL): MTAs keep the mail.
const EX_TEMPFAIL: i32 = 75;

async fn inbound_command(mut config: Config, args: InboundArgs) -> anyhow::Result<()> {
    config.mail_domain = args.mail_domain;
    config.public_url = args.public_url;
    config.inbound = args.limits.limits();
    if let Some(InboundCommand::Failed { rejected }) = args.command {
        let app = App::build(config).await?;
        let problems = store::inbound::problems(app.state.db.pool(), rejected).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        for p in &problems {
            println!(
                "{}\t{}\t{}\t{}\t{} bytes\t{}",
                p.id,
                p.received_at.to_rfc3339(),
                p.outcome,
                p.from_address.as_deref().unwrap_or("-"),
                p.size_bytes,
                p.reason.as_deref().unwrap_or("")
            );
        }
        if problems.is_empty() {
            eprintln!("no received mail failed");
        }
        app.state.db.close().await;
        return Ok(());
    }
    let mut raw = Vec::new();
    let limit = config.inbound.max_bytes;
    tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::AsyncReadExt::take(tokio::io::stdin(), limit as u64 + 1), &mut raw)
        .await
        .context("reading the mail from standard input")?;
    if raw.len() > limit {
        // A permanent refusal: the MTA bounces it to the sender, who learns of it.
        eprintln!("error: the mail is larger than {limit} bytes");
        std::process::exit(1);
    }
    let app = match App::build(config).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::exit(EX_TEMPFAIL);
        }
    };
    let delivery = crate::inbound::Delivery {
        raw,
        via: crate::inbound::Via::Pipe,
        envelope_from: args.sender,
        envelope_to: args.recipients.iter().map(|r| r.to_lowercase()).collect(),
    };
    let result = crate::inbound::receive(&app.state, delivery).await;
    // This process has no live sockets: on PostgreSQL, tell the serving instances.
    if let Ok(crate::inbound::Receipt { thread_id: Some(thread), .. }) = &result
        && app.state.db.backend() == crate::db::Backend::Postgres
        && let Ok(Some(mentorship)) = store::inbound::thread_mentorship(app.state.db.pool(), *thread).await
        && let Err(err) = crate::live::fanout::announce_from_outside(app.state.db.pool(), mentorship).await
    {
        tracing::warn!(error = %err, "telling the serving instances failed; they catch up at their next resync");
    }
    app.state.db.close().await;
    match result {
        Ok(receipt) => {
            println!("{}{}", receipt.outcome, receipt.reason.map(|r| format!(": {r}")).unwrap_or_default());
            Ok(())
        }
        Err(err) => {
            eprintln!("error: the mail could not be stored: {err}");
            std::process::exit(EX_TEMPFAIL);
        }
    }
}

async fn mail_command(config: Config, cmd: MailCommand) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let state = &app.state;
    let result = match cmd {
        MailCommand::Failed => {
            let failed = store::mail::failed(state.db.pool()).await.context("reading failed mail")?;
            for f in &failed {
                let user = f.user_id.map(|u| u.to_string()).unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    f.id,
                    f.kind,
                    user,
                    f.attempts,
                    f.created_at.to_rfc3339(),
                    f.last_error.as_deref().unwrap_or("")
                );
            }
            if failed.is_empty() {
                eprintln!("no failed mail");
            }
            Ok(())
        }
        MailCommand::Prompts { rounds } => {
            println!("round\ttimers_added\tfired\tmails\tms");
            for round in 1..=rounds {
                let started = std::time::Instant::now();
                let report = crate::mail::prompts::schedule_due(state).await.context("a prompt round")?;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                println!("{round}\t{}\t{}\t{}\t{ms:.1}", report.timers_added, report.fired, report.mails);
            }
            Ok(())
        }
        MailCommand::Settings { email, mode, digest_hour, digest_weekday, quiet, missed_delay, mentorship } => {
            mail_settings(state, &email, mode, digest_hour, digest_weekday, quiet, missed_delay, mentorship).await
        }
    };
    state.db.close().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn mail_settings(
    state: &crate::state::AppState,
    email: &str,
    mode: Option<String>,
    digest_hour: Option<u32>,
    digest_weekday: Option<u32>,
    quiet: Option<String>,
    missed_delay: Option<u32>,
    mentorship: Option<String>,
) -> anyhow::Result<()> {
    use mentorpost_model::mail::MailMode;
    let email = EmailAddress::parse(email)?;
    let user = store::users::find_credentials(state.db.pool(), &email)
        .await
        .context("looking up the person")?
        .context("no account with that e-mail address")?
        .id;
    let now = state.clock.now();
    let parse_mode = |m: &str| MailMode::parse(m).with_context(|| format!("mode must be live, each, daily, weekly or off, not {m:?}"));
    if let Some(mentorship) = mentorship {
        let id: mentorpost_model::MentorshipId = mentorship.parse().map_err(|_| anyhow::anyhow!("--mentorship is not a mentorship id"))?;
        let mode = match mode.as_deref() {
            Some("default") => None,
            Some(m) => Some(parse_mode(m)?),
            None => anyhow::bail!("--mentorship needs --mode (or --mode default)"),
        };
        store::mail::set_mentorship_mode(&state.db, user, id, mode, now).await.context("saving the mentorship's mode")?;
    } else if mode.is_some() || digest_hour.is_some() || digest_weekday.is_some() || quiet.is_some() || missed_delay.is_some() {
        let mut settings = store::mail::settings(state.db.pool(), user).await.context("reading the settings")?;
        if let Some(m) = &mode {
            settings.mode = parse_mode(m)?;
        }
        if let Some(h) = digest_hour {
            settings.digest_hour = h;
        }
        if let Some(d) = digest_weekday {
            settings.digest_weekday = d;
        }
        if let Some(d) = missed_delay {
            settings.missed_delay_minutes = d;
        }
        match quiet.as_deref() {
            None => {}
            Some("none") => (settings.quiet_start, settings.quiet_end) = (None, None),
            Some(q) => {
                let (a, b) = q.split_once('-').context("--quiet is HH:MM-HH:MM or none")?;
                (settings.quiet_start, settings.quiet_end) = (Some(a.trim().to_owned()), Some(b.trim().to_owned()));
            }
        }
        settings.validate()?;
        store::mail::set_settings(&state.db, user, settings, now).await.context("saving the settings")?;
    }
    let settings = store::mail::settings(state.db.pool(), user).await.context("reading the settings")?;
    let quiet = match (&settings.quiet_start, &settings.quiet_end) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "none".to_owned(),
    };
    println!(
        "mode\t{}\ndigest_hour\t{}\ndigest_weekday\t{}\nquiet\t{quiet}\nmissed_delay_minutes\t{}",
        settings.mode.as_str(),
        settings.digest_hour,
        settings.digest_weekday,
        settings.missed_delay_minutes
    );
    for (m, mode) in store::mail::mentorship_modes(state.db.pool(), user).await.context("reading mentorship modes")? {
        println!("mentorship {m}\t{}", mode.as_str());
    }
    Ok(())
}

async fn user_command(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let state = &app.state;
    let now = state.clock.now();
    let result = match cmd {
        UserCommand::Add { email, name, password: plain, admin, locale, timezone } => {
            let password_hash = match plain {
                Some(p) => {
                    password::check_password_strength(&p).map_err(|e| anyhow::anyhow!("{e}"))?;
                    Some(password::hash_password(&p).map_err(|e| anyhow::anyhow!("{e}"))?)
                }
                None => None,
            };
            let new = NewUser {
                email: EmailAddress::parse(&email)?,
                display_name: DisplayName::parse(&name)?,
                password_hash,
                locale: Locale::parse(&locale).context("locale must be en or nl")?,
                timezone: TimeZoneName::parse(&timezone)?,
                is_admin: admin,
                programme_id: None,
            };
            let user = store::users::create(&state.db, new, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}\t{}\t{}", user.id, user.email, user.display_name);
            Ok(())
        }
        UserCommand::List => {
            for u in store::users::list(state.db.pool(), None).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                let kind = if u.is_admin {
                    "admin"
                } else if u.has_password {
                    "web"
                } else {
                    "e-mail only"
                };
                println!("{}\t{}\t{}\t{}", u.id, u.email, u.display_name, kind);
            }
            Ok(())
        }
        UserCommand::SetPassword { email, password: plain } => {
            password::check_password_strength(&plain).map_err(|e| anyhow::anyhow!("{e}"))?;
            let email = EmailAddress::parse(&email)?;
            let creds = store::users::find_credentials(state.db.pool(), &email)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("no account with that e-mail address")?;
            let hash = password::hash_password(&plain).map_err(|e| anyhow::anyhow!("{e}"))?;
            store::users::set_password(&state.db, creds.id, hash, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("password set");
            Ok(())
        }
        UserCommand::Export { email, out } => {
            let email = EmailAddress::parse(&email)?;
            let creds = store::users::find_credentials(state.db.pool(), &email)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("no account with that e-mail address")?;
            let out = out.unwrap_or_else(|| format!("mentorpost-export-{}.zip", now.format("%Y-%m-%d")).into());
            let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            let started = std::time::Instant::now();
            let (file, summary) = crate::http::exports::package(&state.db, creds.id, now, std::io::BufWriter::new(file))
                .await?
                .context("the account is gone")?;
            file.into_inner().context("writing the export")?.sync_all().context("syncing the export")?;
            // The time is the export's own (reading, packing, writing), without the
            // process start: the benchmark reads it.
            println!(
                "{}\t{} messages\t{} attachments\t{} bytes\t{} ms",
                out.display(),
                summary.messages,
                summary.attachments,
                summary.bytes,
                started.elapsed().as_millis()
            );
            Ok(())
        }
        UserCommand::Erase { email, reason, pause_after_batches } => {
            let reason = reason.trim().to_owned();
            anyhow::ensure!(!reason.is_empty(), "give a reason with --reason");
            let email = EmailAddress::parse(&email)?;
            let pool = state.db.pool();
            let started = std::time::Instant::now();
            let found = store::users::find_credentials(pool, &email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let erasure = match found {
                Some(creds) => {
                    match crate::erasure::start(state, creds.id, None, Some(reason)).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                        store::erasure::Begun::Started(e) | store::erasure::Begun::Unfinished(e) => e,
                        store::erasure::Begun::AlreadyErased => {
                            println!("already erased");
                            return Ok(());
                        }
                    }
                }
                // The account no longer has the address once an erasure began: an
                // interrupted one is found by it and finished.
                None => store::erasure::unfinished_for_address(pool, email.as_str())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .context("no account with that e-mail address")?,
            };
            let person = erasure.user;
            let pause = move |batches: u64| {
                if pause_after_batches == Some(batches) {
                    println!("paused after {batches} batches");
                    // Waits to be killed: the crash test's moment.
                    loop {
                        std::thread::park();
                    }
                }
            };
            let rows = crate::erasure::complete(state, &erasure, &pause).await?;
            println!("erased\t{person}\t{rows} rows\t{} ms", started.elapsed().as_millis());
            Ok(())
        }
    };
    state.db.close().await;
    result
}
