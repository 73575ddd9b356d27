//! Login, refresh-token rotation with reuse detection, logout, access-token checks
//! (expiry on the injectable clock, forged and tampered tokens), magic links and login
//! rate limiting, on both backends.

use chrono::Duration;
use mentorpost_auth::JwtKeys;
use mentorpost_model::Clock;
use mentorpost_tests::world::PASSWORD;
use mentorpost_tests::{TestServer, World, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

both_backends!(login_success_and_failures, refresh_rotation_and_reuse, logout_ends_refresh, access_token_checks, magic_links);

// ---------------------------------------------------------------- helpers

const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const MAGIC: &str = "/api/v1/auth/magic-link";
const REDEEM: &str = "/api/v1/auth/magic-link/redeem";

async fn login_raw(app: &TestServer, email: &str, password: &str) -> (StatusCode, Value) {
    app.call(Method::POST, LOGIN, None, Some(json!({"email": email, "password": password}))).await
}

async fn refresh(app: &TestServer, token: &str) -> (StatusCode, Value) {
    app.call(Method::POST, REFRESH, None, Some(json!({"refresh_token": token}))).await
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn assert_error(status: StatusCode, body: &Value, want: u16, code: &str) {
    assert_eq!(status.as_u16(), want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

/// URL-safe base64 without padding.
fn b64url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decodes standard or URL-safe base64, ignoring whitespace and padding.
fn b64_decode(text: &str) -> Vec<u8> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), enough to sign a test JWT without extra dependencies.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
        0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
        0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
        0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
        0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
        0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for (k, wi) in K.iter().zip(w.iter()) {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(*k).wrapping_add(*wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (slot, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *slot = slot.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&sha256(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    inner.extend_from_slice(message);
    let mut outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    outer.extend_from_slice(&sha256(&inner));
    sha256(&outer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A JWT with the given header and claims, signed HS256 with `secret`.
fn hs256_token(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let signature = hmac_sha256(secret, message.as_bytes());
    format!("{message}.{}", b64url(&signature))
}

/// The claims of a JWT, decoded without verification.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&b64_decode(payload)).expect("claims are JSON")
}

#[test]
fn crypto_helpers_match_known_vectors() {
    assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(hex(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231, test case 2.
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(b64url(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw");
    assert_eq!(b64url(b"any carnal pleasu"), "YW55IGNhcm5hbCBwbGVhc3U");
    assert_eq!(b64_decode("YW55IGNhcm5hbCBwbGVhc3U="), b"any carnal pleasu");
    assert_eq!(decode_qp("a=3Db=\r\nc=C5=BC"), "a=bc\u{17c}".as_bytes().to_vec());
}

/// Decodes a quoted-printable text: soft line breaks go, `=XX` becomes a byte.
fn decode_qp(text: &str) -> Vec<u8> {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let hex_digit = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let (Some(hi), Some(lo)) = (bytes.get(i + 1).and_then(|b| hex_digit(*b)), bytes.get(i + 2).and_then(|b| hex_digit(*b)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The body of a mail as text, with its Content-Transfer-Encoding undone.
fn mail_body(raw: &str) -> String {
    let (head, body) = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).unwrap_or((raw, ""));
    let encoding = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-transfer-encoding").then(|| value.trim().to_ascii_lowercase())
        })
        .unwrap_or_default();
    let bytes = match encoding.as_str() {
        "base64" => b64_decode(body),
        "quoted-printable" => decode_qp(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("the mail body is UTF-8")
}

/// Finds the magic-link token (43 URL-safe base64 characters) in a raw mail.
fn magic_token(raw: &str) -> String {
    let body = mail_body(raw);
    let marker = "/login/magic?token=";
    let at = body.find(marker).unwrap_or_else(|| panic!("no login link in mail:\n{raw}"));
    let token: String = body[at + marker.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert_eq!(token.len(), 43, "token {token:?} in mail:\n{raw}");
    token
}

/// Requests a magic link and returns the token from the one new mail.
async fn request_magic_link(app: &TestServer, email: &str) -> String {
    let before = app.mail_files();
    let mut sent = app.state.mailer.progress.subscribe();
    let finished = *sent.borrow_and_update();
    let (s, b) = app.call(Method::POST, MAGIC, None, Some(json!({"email": email}))).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    // The link goes through the outbox, at once.
    tokio::time::timeout(std::time::Duration::from_secs(20), sent.wait_for(|n| *n > finished))
        .await
        .expect("the login mail is sent within 20 s")
        .expect("the mailer runs");
    let after = app.mail_files();
    assert_eq!(after.len(), before.len() + 1, "exactly one mail is written");
    let new = after.iter().find(|m| !before.contains(m)).expect("the new mail");
    assert!(new.to_ascii_lowercase().contains(&email.to_ascii_lowercase()), "mail goes to {email}:\n{new}");
    magic_token(new)
}

// ---------------------------------------------------------------- scenarios

async fn login_success_and_failures(app: TestServer) {
    let id = app.create_user("ayse.yilmaz@example.org", "Ayşe Yılmaz", Some(PASSWORD), false).await;

    let (s, body) = login_raw(&app, "ayse.yilmaz@example.org", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let access = str_of(&body, "access_token");
    let refresh_token = str_of(&body, "refresh_token");
    assert_eq!(access.split('.').count(), 3, "a JWT");
    assert_eq!(refresh_token.len(), 43);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["id"], id.to_string());
    assert_eq!(body["user"]["email"], "ayse.yilmaz@example.org");
    assert_eq!(body["user"]["display_name"], "Ayşe Yılmaz");
    assert_eq!(body["user"]["has_password"], true);
    assert!(body["user"].get("password_hash").is_none(), "{body}");
    let (s, me) = app.get("/api/v1/me", access).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["id"], id.to_string());

    // Wrong password and unknown address: the same answer, so accounts cannot be probed.
    let (s, wrong) = login_raw(&app, "ayse.yilmaz@example.org", "not the password").await;
    assert_error(s, &wrong, 401, "invalid_credentials");
    let (s, unknown) = login_raw(&app, "nobody@example.org", PASSWORD).await;
    assert_error(s, &unknown, 401, "invalid_credentials");
    assert_eq!(wrong, unknown);
    let (s, empty) = login_raw(&app, "ayse.yilmaz@example.org", "").await;
    assert_error(s, &empty, 401, "invalid_credentials");
    let (s, bad_address) = login_raw(&app, "not an address", PASSWORD).await;
    assert_error(s, &bad_address, 401, "invalid_credentials");

    // Address matching ignores case (and surrounding blanks).
    for variant in ["Ayse.Yilmaz@Example.ORG", "AYSE.YILMAZ@EXAMPLE.ORG", "  ayse.yilmaz@example.org "] {
        let (s, body) = login_raw(&app, variant, PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{variant}: {body}");
        assert_eq!(body["user"]["id"], id.to_string());
    }

    // A person without a password cannot log in with one.
    app.create_user("mail.only@example.org", "Mail Only", None, false).await;
    let (s, body) = login_raw(&app, "mail.only@example.org", "").await;
    assert_error(s, &body, 401, "invalid_credentials");
    app.stop().await;
}

async fn refresh_rotation_and_reuse(app: TestServer) {
    let w = World::build(&app).await;
    // Two logins of the same person: A (rotated, then compromised) and B.
    let (_, r1) = app.login(&w.mentee.email, PASSWORD).await;
    let r_other = w.mentee.refresh.clone();

    let (s, second) = refresh(&app, &r1).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let r2 = str_of(&second, "refresh_token").to_owned();
    assert_ne!(r2, r1);
    assert_eq!(second["user"]["id"], w.mentee.id.to_string());
    let (s, me) = app.get("/api/v1/me", str_of(&second, "access_token")).await;
    assert_eq!(s, StatusCode::OK, "the new access token works: {me}");
    assert_eq!(me["id"], w.mentee.id.to_string());

    let (s, third) = refresh(&app, &r2).await;
    assert_eq!(s, StatusCode::OK, "{third}");
    let r3 = str_of(&third, "refresh_token").to_owned();

    // The first token comes back: someone holds a copy.
    let (s, reused) = refresh(&app, &r1).await;
    assert_error(s, &reused, 401, "refresh_reused");
    // The whole login is over, including its newest token.
    let (s, newest) = refresh(&app, &r3).await;
    assert_error(s, &newest, 401, "refresh_invalid");
    let (s, middle) = refresh(&app, &r2).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{middle}");
    let (s, again) = refresh(&app, &r1).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{again}");

    // The other login of the same person goes on.
    let (s, other) = refresh(&app, &r_other).await;
    assert_eq!(s, StatusCode::OK, "{other}");
    let (s, other2) = refresh(&app, str_of(&other, "refresh_token")).await;
    assert_eq!(s, StatusCode::OK, "{other2}");
    // And other people's logins are untouched.
    let (s, mentor) = refresh(&app, &w.mentor.refresh).await;
    assert_eq!(s, StatusCode::OK, "{mentor}");

    // Garbage and unknown tokens.
    let (s, b) = refresh(&app, "garbage").await;
    assert_error(s, &b, 401, "refresh_invalid");
    let (s, b) = refresh(&app, &"A".repeat(43)).await;
    assert_error(s, &b, 401, "refresh_invalid");
    // An access token is not a refresh token.
    let (s, b) = refresh(&app, &w.mentor.token).await;
    assert_error(s, &b, 401, "refresh_invalid");

    // A refresh token expires after 30 days unused.
    let (_, r_old) = app.login(&w.outsider.email, PASSWORD).await;
    app.clock.advance(Duration::days(31));
    let (s, b) = refresh(&app, &r_old).await;
    assert_error(s, &b, 401, "refresh_invalid");
    app.stop().await;
}

async fn logout_ends_refresh(app: TestServer) {
    let w = World::build(&app).await;
    let (_, r) = app.login(&w.mentor.email, PASSWORD).await;
    let (s, b) = app.call(Method::POST, LOGOUT, None, Some(json!({"refresh_token": r}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = refresh(&app, &r).await;
    assert_error(s, &b, 401, "refresh_invalid");
    // Logging out twice, or with an unknown token, is not an error.
    let (s, _) = app.call(Method::POST, LOGOUT, None, Some(json!({"refresh_token": r}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.call(Method::POST, LOGOUT, None, Some(json!({"refresh_token": "x"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // The person's other login still works.
    let (s, b) = refresh(&app, &w.mentor.refresh).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.stop().await;
}

async fn access_token_checks(app: TestServer) {
    let w = World::build(&app).await;
    let (s, me) = app.get("/api/v1/me", &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{me}");

    let secret = mentorpost_server::store::settings::jwt_secret(&app.state.db).await.expect("the server's secret");
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let real_claims = claims_of(&w.mentee.token);
    assert_eq!(real_claims["aud"], "mentorpost");
    assert_eq!(real_claims["sub"], w.mentee.id.to_string());

    // Control: our hand-made HS256 with the real secret and unchanged claims is
    // accepted, so the rejections below are about what we changed.
    let same = hs256_token(&header, &real_claims, &secret);
    let (s, b) = app.get("/api/v1/me", &same).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Another audience.
    let mut claims = real_claims.clone();
    claims["aud"] = json!("another-service");
    let (s, b) = app.get("/api/v1/me", &hs256_token(&header, &claims, &secret)).await;
    assert_error(s, &b, 401, "token_invalid");
    // No audience at all.
    let mut claims = real_claims.clone();
    claims.as_object_mut().expect("claims object").remove("aud");
    let (s, b) = app.get("/api/v1/me", &hs256_token(&header, &claims, &secret)).await;
    assert_error(s, &b, 401, "token_invalid");
    // A long-lived token, validly signed: refused anyway.
    let mut claims = real_claims.clone();
    claims["exp"] = json!(real_claims["iat"].as_i64().expect("iat") + 86_400 * 365);
    let (s, b) = app.get("/api/v1/me", &hs256_token(&header, &claims, &secret)).await;
    assert_error(s, &b, 401, "token_invalid");
    // Tampered: the payload of one person under the signature of another.
    let mut claims = real_claims.clone();
    claims["sub"] = json!(w.admin.id.to_string());
    let mentee_sig = w.mentee.token.split('.').nth(2).expect("signature");
    let forged_payload = format!("{}.{}.{mentee_sig}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let (s, b) = app.get("/api/v1/me", &forged_payload).await;
    assert_error(s, &b, 401, "token_invalid");

    // Signed with another secret.
    let other = JwtKeys::new(b"another secret entirely, long enough for HS256 signing!!");
    let (forged, _) = other.issue(w.mentee.id, "session", app.clock.now()).expect("issue");
    let (s, b) = app.get("/api/v1/me", &forged).await;
    assert_error(s, &b, 401, "token_invalid");

    // `alg: none`, with and without a signature part.
    let none = format!("{}.{}.", b64url(br#"{"alg":"none","typ":"JWT"}"#), b64url(real_claims.to_string().as_bytes()));
    let (s, b) = app.get("/api/v1/me", &none).await;
    assert_error(s, &b, 401, "token_invalid");
    let (s, b) = app.get("/api/v1/me", none.trim_end_matches('.')).await;
    assert_error(s, &b, 401, "token_invalid");
    // Another HMAC algorithm with the right secret is refused too.
    let hs512_header = format!("{}.{}", b64url(br#"{"alg":"HS512","typ":"JWT"}"#), b64url(real_claims.to_string().as_bytes()));
    let (s, b) = app.get("/api/v1/me", &format!("{hs512_header}.AAAA")).await;
    assert_error(s, &b, 401, "token_invalid");

    // Expiry on the server's clock: still valid after 14 minutes, not after 16.
    app.clock.advance(Duration::minutes(14));
    let (s, b) = app.get("/api/v1/me", &w.mentee.token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.clock.advance(Duration::minutes(2));
    let (s, b) = app.get("/api/v1/me", &w.mentee.token).await;
    assert_error(s, &b, 401, "token_expired");
    // Refreshing gives a token that works at the new time.
    let (s, fresh) = refresh(&app, &w.mentee.refresh).await;
    assert_eq!(s, StatusCode::OK, "{fresh}");
    let (s, b) = app.get("/api/v1/me", str_of(&fresh, "access_token")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // A token issued "in the future" (beyond the clock skew) is refused.
    let keys = JwtKeys::new(&secret);
    let (future, _) = keys.issue(w.mentee.id, "s", app.clock.now() + Duration::hours(1)).expect("issue");
    let (s, b) = app.get("/api/v1/me", &future).await;
    assert_error(s, &b, 401, "token_invalid");
    app.stop().await;
}

async fn magic_links(app: TestServer) {
    let id = app.create_user("magda@example.org", "Magdalena Żółć-Łęcka", None, false).await;

    let token = request_magic_link(&app, "Magda@Example.org").await;

    // Opening the link shows a page with a button and spends nothing.
    for _ in 0..2 {
        let resp = app.client.get(app.url(&format!("/login/magic?token={token}"))).send().await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK);
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(ctype.starts_with("text/html"), "{ctype}");
        let html = resp.text().await.expect("html");
        assert!(html.contains("<button"), "{html}");
        assert!(html.contains(&token), "the page carries the token");
    }
    // The page never reflects markup from the query.
    let resp = app.client.get(app.url("/login/magic?token=%3Cscript%3Ealert(1)%3C/script%3E")).send().await.expect("page");
    let html = resp.text().await.expect("html");
    assert!(!html.contains("<script>alert"), "{html}");

    let (s, body) = app.call(Method::POST, REDEEM, None, Some(json!({"token": token}))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], id.to_string());
    assert_eq!(body["user"]["has_password"], false);
    let (s, me) = app.get("/api/v1/me", str_of(&body, "access_token")).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let (s, r) = refresh(&app, str_of(&body, "refresh_token")).await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // Single use.
    let (s, again) = app.call(Method::POST, REDEEM, None, Some(json!({"token": token}))).await;
    assert_error(s, &again, 401, "magic_link_invalid");

    // Garbage tokens.
    for bad in ["", "short", &"A".repeat(43)] {
        let (s, b) = app.call(Method::POST, REDEEM, None, Some(json!({"token": bad}))).await;
        assert_error(s, &b, 401, "magic_link_invalid");
    }

    // A link expires after 15 minutes.
    let late = request_magic_link(&app, "magda@example.org").await;
    assert_ne!(late, token);
    app.clock.advance(Duration::minutes(16));
    let (s, b) = app.call(Method::POST, REDEEM, None, Some(json!({"token": late}))).await;
    assert_error(s, &b, 401, "magic_link_invalid");

    // Unknown addresses get the same answer and no mail.
    let before = app.mail_files().len();
    let (s, b) = app.call(Method::POST, MAGIC, None, Some(json!({"email": "nobody@example.org"}))).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    assert_eq!(app.mail_files().len(), before, "no mail for unknown addresses");
    let queued: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM outbox WHERE kind = 'security'").fetch_one(app.state.db.pool()).await.expect("count"),
        0,
    )
    .expect("count");
    assert_eq!(queued, 2, "the two login mails to the known address, none for nobody@");
    let kept: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM outbox WHERE kind = 'security' AND rendered IS NOT NULL")
            .fetch_one(app.state.db.pool())
            .await
            .expect("count"),
        0,
    )
    .expect("count");
    assert_eq!(kept, 0, "a sent login mail keeps no copy of its link");
    let links: i64 =
        sqlx::Row::try_get(&sqlx::query("SELECT COUNT(*) FROM magic_links").fetch_one(app.state.db.pool()).await.expect("count"), 0)
            .expect("count");
    assert_eq!(links, 2, "no link stored for unknown addresses");

    // A malformed address is a client error, not a silent 202.
    let (s, b) = app.call(Method::POST, MAGIC, None, Some(json!({"email": "not-an-address"}))).await;
    assert_error(s, &b, 422, "invalid_email");

    // A link for a person with a password works the same way.
    let w_id = app.create_user("pw@example.org", "Pim Wouters", Some(PASSWORD), false).await;
    let t = request_magic_link(&app, "pw@example.org").await;
    let (s, body) = app.call(Method::POST, REDEEM, None, Some(json!({"token": t}))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], w_id.to_string());
    app.stop().await;
}

/// Logs in as coming from `client` (the server trusts the loopback proxy's
/// `X-Forwarded-For`); returns status, body and `Retry-After` in seconds.
async fn login_from(app: &TestServer, client: &str, email: &str, password: &str) -> (StatusCode, Value, Option<u64>) {
    let resp = app
        .client
        .post(app.url(LOGIN))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let status = resp.status();
    let retry = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (status, resp.json().await.unwrap_or(Value::Null), retry)
}

/// Servers behind a trusted proxy on loopback, so a test can speak for several clients.
mod login_throttle_per_account_and_client {
    use mentorpost_tests::{Backend, PG_ENV, TestServer};

    async fn start(backend: Backend) -> Option<TestServer> {
        TestServer::start_with(backend, |c| c.trusted_proxies = vec![std::net::IpAddr::from([127, 0, 0, 1])]).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::login_throttle(start(Backend::Sqlite).await.expect("sqlite server")).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        match start(Backend::Postgres).await {
            Some(app) => super::login_throttle(app).await,
            None => eprintln!("PostgreSQL suite skipped: set {PG_ENV} to run it"),
        }
    }
}

/// Wrong passwords slow down the client that sends them, for that account, with
/// growing waits; they never lock the real person out: the right password from a
/// client without failures works at once, and so does a sign-in link. Each client
/// still has its own limit over all accounts.
async fn login_throttle(app: TestServer) {
    const ATTACKER: &str = "203.0.113.7";
    const PERSON: &str = "198.51.100.20";
    const SPRAYER: &str = "192.0.2.50";
    let w = World::build(&app).await;
    let wrong = "definitely not it";

    // Three tries come free…
    for _ in 0..3 {
        let (s, b, _) = login_from(&app, ATTACKER, &w.mentee.email, wrong).await;
        assert_error(s, &b, 401, "invalid_credentials");
    }
    // …then the client waits 5 s, 10 s, 20 s between tries, whatever it sends.
    for wait in [5, 10, 20] {
        for password in [wrong, PASSWORD] {
            let (s, b, retry) = login_from(&app, ATTACKER, &w.mentee.email, password).await;
            assert_error(s, &b, 429, "rate_limited");
            assert_eq!(retry, Some(wait), "{b}");
        }
        // Case variants of the address are the same account.
        let (s, b, _) = login_from(&app, ATTACKER, "MENTEE@Example.org", PASSWORD).await;
        assert_error(s, &b, 429, "rate_limited");
        app.clock.advance(Duration::seconds(wait as i64 - 1));
        let (s, b, retry) = login_from(&app, ATTACKER, &w.mentee.email, wrong).await;
        assert_eq!((s, retry), (StatusCode::TOO_MANY_REQUESTS, Some(1)), "{b}");
        app.clock.advance(Duration::seconds(1));
        let (s, b, _) = login_from(&app, ATTACKER, &w.mentee.email, wrong).await;
        assert_error(s, &b, 401, "invalid_credentials");
    }

    // The real person, on a client of their own, gets in at once.
    let (s, b, _) = login_from(&app, PERSON, &w.mentee.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The attacker's client still may log in to another account it knows.
    let (s, b, _) = login_from(&app, ATTACKER, &w.mentor.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // A sign-in link works for the throttled account, from any client.
    let token = request_magic_link(&app, &w.mentee.email).await;
    let (s, b) = app.call(Method::POST, REDEEM, None, Some(json!({"token": token}))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["user"]["id"], w.mentee.id.to_string());

    // Per client: 20 failures in 15 minutes, spread so that no account waits, and the
    // client is refused for every account, even with the right password.
    let mut failures = 0;
    'spray: for i in 0.. {
        for _ in 0..3 {
            if failures == 20 {
                break 'spray;
            }
            let (s, b, _) = login_from(&app, SPRAYER, &format!("nobody{i}@example.org"), wrong).await;
            assert_error(s, &b, 401, "invalid_credentials");
            failures += 1;
        }
    }
    let (s, b, retry) = login_from(&app, SPRAYER, &w.outsider.email, PASSWORD).await;
    assert_error(s, &b, 429, "rate_limited");
    assert!(retry.is_some_and(|r| r > 0 && r <= 15 * 60), "{retry:?}");
    let (s, b, _) = login_from(&app, PERSON, &w.outsider.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "other clients are not affected: {b}");

    // A success forgets that client's slips: it starts again with three free tries.
    app.clock.advance(Duration::seconds(40));
    let (s, b, _) = login_from(&app, ATTACKER, &w.mentee.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for _ in 0..3 {
        let (s, b, _) = login_from(&app, ATTACKER, &w.mentee.email, wrong).await;
        assert_error(s, &b, 401, "invalid_credentials");
    }

    // Refused attempts are not counted: everything ends 15 minutes after the failures.
    app.clock.advance(Duration::minutes(16));
    let (s, b, _) = login_from(&app, SPRAYER, &w.outsider.email, PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.stop().await;
}
