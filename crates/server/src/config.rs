//! Service configuration: defaults that run with nothing installed, overridden by
//! `MENTORPOST_*` environment variables and command-line flags (see `cli`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub http: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Local files: the SQLite database, mail written to files.
    pub data_dir: PathBuf,
    /// Base URL people reach the service at; used in links in mails.
    pub public_url: String,
    /// HMAC secret for access tokens; generated and stored in the database if unset.
    pub jwt_secret: Option<String>,
    /// Domain of the service's own mail addresses.
    pub mail_domain: String,
    /// `smtp://…` or `smtps://…` to send mail through; `None` writes `.eml` files
    /// under `<data dir>/mail/`.
    pub smtp_url: Option<String>,
    /// Deadlines for outgoing SMTP sessions.
    pub smtp_timeouts: SmtpTimeouts,
    /// Seed the demo programme into an empty database at start.
    pub demo: bool,
    /// Further origins (besides the public URL's) allowed to open WebSockets.
    pub ws_allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the real client (rate limits).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Address of the SMTP listener for incoming mail; `None`: no listener.
    pub smtp_listen: Option<SocketAddr>,
    /// Address of the Prometheus metrics listener (`GET /metrics`); `None`: no metrics.
    /// Never the public address: figures about the service are for its operators.
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate and key for STARTTLS on the SMTP listener.
    pub smtp_tls: Option<(PathBuf, PathBuf)>,
    /// Bearer secret of `POST /api/v1/inbound/email`; `None`: the endpoint is off.
    pub inbound_secret: Option<String>,
    /// Size limits and keeping time of received mail.
    pub inbound: InboundLimits,
    /// How long the server keeps serving once told to stop: `/readyz` answers 503 and
    /// every response closes its connection, so load balancers and keep-alive clients
    /// move off before the listener closes. Ends early once no connection is open.
    pub drain: Duration,
    /// Days an invitation's link (and reply address) stays valid.
    pub invitation_days: i64,
    /// How long after writing it an author may edit or delete a message.
    pub edit_window: chrono::Duration,
    /// Run the daily retention job in the background (`mail::retention::run`). Always
    /// on in `serve`; the test harness turns it off so a moved clock does not start
    /// one behind a test's back (the retention tests call it themselves).
    pub retention_job: bool,
    /// Largest export (message texts and files, estimated) handed over in the request;
    /// a larger one is built in the background and its link mailed.
    pub export_inline_max_bytes: u64,
}

/// Deadlines for outgoing SMTP: a server that accepts a connection and then says
/// nothing must not hold up the outbox. A mail that runs into one is retried with the
/// usual backoff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmtpTimeouts {
    /// TCP connect, TLS handshake, greeting and EHLO together.
    pub connect: Duration,
    /// Each later command's answer (STARTTLS, AUTH, NOOP, MAIL, RCPT, DATA, the end of data).
    pub command: Duration,
    /// One mail from checkout to the server's acceptance, connecting included.
    pub send: Duration,
}

impl Default for SmtpTimeouts {
    fn default() -> Self {
        SmtpTimeouts { connect: Duration::from_secs(10), command: Duration::from_secs(30), send: Duration::from_secs(120) }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("http", &self.http)
            .field("database_url", &crate::db::redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("public_url", &self.public_url)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("mail_domain", &self.mail_domain)
            .field("smtp_url", &self.smtp_url.as_deref().map(crate::db::redact_url))
            .field("smtp_timeouts", &self.smtp_timeouts)
            .field("demo", &self.demo)
            .field("ws_allowed_origins", &self.ws_allowed_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("smtp_listen", &self.smtp_listen)
            .field("metrics_listen", &self.metrics_listen)
            .field("smtp_tls", &self.smtp_tls)
            .field("inbound_secret", &self.inbound_secret.as_ref().map(|_| "***"))
            .field("inbound", &self.inbound)
            .field("drain", &self.drain)
            .field("invitation_days", &self.invitation_days)
            .field("edit_window", &self.edit_window)
            .field("retention_job", &self.retention_job)
            .field("export_inline_max_bytes", &self.export_inline_max_bytes)
            .finish()
    }
}

/// The base URL of a server listening on `listen` unless `--public-url` says
/// otherwise. A listener on every interface (0.0.0.0, ::) is reached locally through
/// loopback: a browser cannot open `http://0.0.0.0:8080`.
pub fn public_url_for(listen: SocketAddr, public_url: Option<&str>) -> String {
    if let Some(url) = public_url.filter(|u| !u.is_empty()) {
        return url.to_owned();
    }
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { std::net::Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    format!("http://{addr}")
}

impl Config {
    /// Defaults for a data dir: SQLite inside it, listening on loopback.
    pub fn for_data_dir(data_dir: PathBuf) -> Config {
        let database_url = crate::db::default_sqlite_url(&data_dir);
        Config {
            http: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url,
            data_dir,
            public_url: "http://127.0.0.1:8080".to_owned(),
            jwt_secret: None,
            mail_domain: "mentorpost.localhost".to_owned(),
            smtp_url: None,
            smtp_timeouts: SmtpTimeouts::default(),
            demo: false,
            ws_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            smtp_listen: None,
            metrics_listen: None,
            smtp_tls: None,
            inbound_secret: None,
            inbound: InboundLimits::default(),
            drain: Duration::from_secs(5),
            invitation_days: 14,
            edit_window: chrono::Duration::hours(24),
            retention_job: true,
            export_inline_max_bytes: 16 * 1024 * 1024,
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

#[cfg(test)]
mod tests {
    use super::public_url_for;

    #[test]
    fn the_public_url_is_one_a_browser_can_open() {
        let at = |a: &str| a.parse().expect("socket address");
        assert_eq!(public_url_for(at("127.0.0.1:8080"), None), "http://127.0.0.1:8080");
        assert_eq!(public_url_for(at("0.0.0.0:9090"), None), "http://127.0.0.1:9090");
        assert_eq!(public_url_for(at("[::]:9090"), None), "http://[::1]:9090");
        assert_eq!(public_url_for(at("192.0.2.4:80"), Some("")), "http://192.0.2.4:80");
        assert_eq!(public_url_for(at("0.0.0.0:80"), Some("https://mentor.example.org")), "https://mentor.example.org");
    }
}

/// Limits and keeping times of the inbound path.
#[derive(Clone, Copy, Debug)]
pub struct InboundLimits {
    /// Largest mail accepted (SMTP refuses larger ones at DATA).
    pub max_bytes: usize,
    /// Largest total of attachments stored with one message.
    pub max_attachment_bytes: usize,
    /// How long the raw mail is kept for support.
    pub keep_raw_days: i64,
}

impl Default for InboundLimits {
    fn default() -> Self {
        InboundLimits { max_bytes: 10 * 1024 * 1024, max_attachment_bytes: 10 * 1024 * 1024, keep_raw_days: 30 }
    }
}
