//! Who may do what: the agent token (agent API and pages) and the Kakao skill secret,
//! checked here and nowhere else.
//!
//! # Agent token (`DOUM_AGENT_TOKEN`)
//!
//! - At least [`MIN_AGENT_TOKEN_CHARS`] characters after trimming surrounding whitespace
//!   (a token read from a file often ends in a newline); [`agent_token`] refuses a shorter
//!   one with a message saying so, and [`Auth::new`] keeps the agent area off if one gets
//!   through anyway.
//! - A request proves itself with `Authorization: Bearer <token>` or the session cookie
//!   `POST /agent/login` sets. Tokens are compared in constant time over SHA-256 digests
//!   (neither content nor length leaks).
//! - The cookie (`{expires}.{session}.{mac}`) is signed with HMAC-SHA256 under a key
//!   derived from the token with HKDF-SHA256 and a label, so a cookie never exposes a MAC
//!   keyed by the token itself. Each login gets a server-side session: logging out ends it
//!   on the server too (a copied cookie stops working), and so does a restart.
//! - Failed attempts (a wrong bearer token or login) are counted per client address:
//!   after [`MAX_FAILURES`] within [`FAILURE_WINDOW`] the address gets 429 with
//!   `Retry-After` until the window ends, right token or not. Memory is bounded
//!   ([`MAX_TRACKED`] addresses; past that, the unknown ones share one counter). Behind a
//!   reverse proxy every client has the proxy's address: the limit is then shared.
//! - `POST /agent/login` and `/agent/logout` (and the customers' feedback form,
//!   `POST /articles/{id}/feedback`) refuse (403, a Korean page) a request whose
//!   `Origin` (or `Sec-Fetch-Site: cross-site`) shows it came from another site.
//! - The cookie is `Secure` when the public URL's scheme is https (any case).
//!
//! # Skill secret (`DOUM_KAKAO_SECRET`)
//!
//! Open Builder sends it in [`SECRET_HEADER`] with every skill call. Without one configured,
//! skill calls cannot be told apart from anyone else's POSTs, so the skill gives general
//! answers only: no account is ever looked up ([`Auth::personal_answers`]).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{ApiError, Code};
use super::{AppState, WebConfig};

/// The shortest agent token accepted.
pub const MIN_AGENT_TOKEN_CHARS: usize = 32;
/// Failed attempts a client address may make within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
/// The window failed attempts are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Client addresses tracked at most (failed attempts).
pub const MAX_TRACKED: usize = 10_000;
/// Live agent sessions kept at most; past that the oldest ends.
pub const MAX_SESSIONS: usize = 10_000;
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "doum_agent";
/// How long a login lasts.
pub const SESSION_SECS: u64 = 12 * 3600;
/// The header carrying the skill secret.
pub const SECRET_HEADER: &str = "x-doum-skill-secret";

const COOKIE_KEY_LABEL: &[u8] = b"doum agent session cookie v2";

/// Checks an agent token from the configuration: `None` or blank is no token (the agent
/// area is off); surrounding whitespace is trimmed; shorter than
/// [`MIN_AGENT_TOKEN_CHARS`] is an error naming the setting.
pub fn agent_token(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let n = t.chars().count();
    if n < MIN_AGENT_TOKEN_CHARS {
        return Err(format!(
            "DOUM_AGENT_TOKEN has {n} characters; use at least {MIN_AGENT_TOKEN_CHARS} \
             (for instance the output of `openssl rand -hex 32`)"
        ));
    }
    if t.chars().any(char::is_control) {
        return Err("DOUM_AGENT_TOKEN contains control characters".into());
    }
    Ok(Some(t.to_owned()))
}

/// Whether two secrets are equal, in constant time (over their SHA-256 digests, so
/// neither the content nor the length leaks through timing).
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let a = Sha256::digest(given);
    let b = Sha256::digest(expected);
    a.as_slice().ct_eq(b.as_slice()).into()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Lowercase hex of a MAC or digest output.
fn hex(bytes: &impl std::fmt::LowerHex) -> String {
    format!("{bytes:x}")
}

/// The agent token and what is derived from it.
struct AgentKeys {
    token: String,
    cookie_key: [u8; 32],
}

/// Access state shared by every request: keys, live sessions, failure counts.
pub struct Auth {
    agent: Option<AgentKeys>,
    skill_secret: Option<String>,
    sessions: Sessions,
    throttle: Throttle,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("agent", &self.agent.is_some())
            .field("skill_secret", &self.skill_secret.is_some())
            .finish()
    }
}

impl Auth {
    /// Access for `config`. An agent token that [`agent_token`] refuses turns the agent
    /// area off (logged as an error). Logs once whether personal skill answers are on.
    pub fn new(config: &WebConfig) -> Self {
        let agent = match agent_token(config.agent_token.as_deref()) {
            Ok(t) => t.map(|token| {
                let mut cookie_key = [0u8; 32];
                Hkdf::<Sha256>::new(None, token.as_bytes())
                    .expand(COOKIE_KEY_LABEL, &mut cookie_key)
                    .expect("32 bytes is a valid HKDF-SHA256 length");
                AgentKeys { token, cookie_key }
            }),
            Err(e) => {
                tracing::error!("agent area off: {e}");
                None
            }
        };
        let skill_secret = config
            .kakao_secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if skill_secret.is_none() {
            tracing::info!(
                "DOUM_KAKAO_SECRET is not set: the Kakao skill gives general answers only (no personal answers)"
            );
        }
        Auth {
            agent,
            skill_secret,
            sessions: Sessions::new(),
            throttle: Throttle::new(),
        }
    }

    /// Whether the agent area is on.
    pub fn agent_enabled(&self) -> bool {
        self.agent.is_some()
    }

    /// Whether the skill may look accounts up (a skill secret is configured).
    pub fn personal_answers(&self) -> bool {
        self.skill_secret.is_some()
    }

    /// Whether a skill call may go on: no secret configured, or the right one sent.
    pub fn skill_call_allowed(&self, headers: &HeaderMap) -> bool {
        match &self.skill_secret {
            None => true,
            Some(expected) => headers
                .get(SECRET_HEADER)
                .is_some_and(|given| same_secret(given.as_bytes(), expected.as_bytes())),
        }
    }

    /// Whether `given` is the agent token.
    pub fn token_ok(&self, given: &str) -> bool {
        self.agent
            .as_ref()
            .is_some_and(|k| same_secret(given.trim().as_bytes(), k.token.as_bytes()))
    }

    fn mac(&self, expires: u64, session: &str) -> Option<String> {
        let keys = self.agent.as_ref()?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys.cookie_key).ok()?;
        mac.update(format!("{expires}.{session}").as_bytes());
        Some(hex(&mac.finalize().into_bytes()))
    }

    /// Starts a session valid until `expires` (unix seconds); the cookie value.
    pub fn start_session(&self, expires: u64) -> Option<String> {
        let id = self.sessions.start(expires);
        Some(format!("{expires}.{id}.{}", self.mac(expires, &id)?))
    }

    /// The session id of a cookie value that is signed, unexpired and not ended.
    pub fn session(&self, value: &str, now: u64) -> Option<String> {
        let mut parts = value.splitn(3, '.');
        let (expires, id, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let expires_n = expires.parse::<u64>().ok()?;
        let want = self.mac(expires_n, id)?;
        let ok = expires_n > now
            && same_secret(mac.as_bytes(), want.as_bytes())
            && self.sessions.is_live(id, now);
        ok.then(|| id.to_owned())
    }

    /// Ends a session (logout).
    pub fn end_session(&self, id: &str) {
        self.sessions.end(id);
    }

    /// Whether a client may try credentials now; `Err(seconds to wait)` if not.
    pub fn may_try(&self, client: IpAddr) -> Result<(), u64> {
        self.throttle.check(client, Instant::now())
    }

    /// Counts a failed attempt by `client`.
    pub fn failed(&self, client: IpAddr) {
        self.throttle.failed(client, Instant::now());
    }
}

// ---------------------------------------------------------------- sessions

struct Sessions {
    next: AtomicU64,
    live: Mutex<HashMap<String, u64>>,
}

impl Sessions {
    fn new() -> Self {
        // Ids only need to be unique (the MAC makes them unforgeable); starting from the
        // clock keeps a restarted server from reviving an old id.
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Sessions {
            next: AtomicU64::new(start),
            live: Mutex::new(HashMap::new()),
        }
    }

    fn start(&self, expires: u64) -> String {
        let id = format!("{:016x}", self.next.fetch_add(1, Ordering::Relaxed));
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if live.len() >= MAX_SESSIONS {
            let now = unix_now();
            live.retain(|_, exp| *exp > now);
            if live.len() >= MAX_SESSIONS
                && let Some(oldest) = live.iter().min_by_key(|(_, e)| **e).map(|(k, _)| k.clone())
            {
                live.remove(&oldest);
            }
        }
        live.insert(id.clone(), expires);
        id
    }

    fn is_live(&self, id: &str, now: u64) -> bool {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.get(id).is_some_and(|exp| *exp > now)
    }

    fn end(&self, id: &str) {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.remove(id);
    }
}

// ---------------------------------------------------------------- throttle

/// The address every client beyond [`MAX_TRACKED`] shares.
const OVERFLOW: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

struct Throttle {
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Throttle {
    fn new() -> Self {
        Throttle {
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let key = if map.contains_key(&client) {
            client
        } else {
            OVERFLOW
        };
        match map.get(&key) {
            Some((since, n)) if *n >= MAX_FAILURES && now < *since + FAILURE_WINDOW => {
                let left = (*since + FAILURE_WINDOW).saturating_duration_since(now);
                Err(left.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    fn failed(&self, client: IpAddr, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(&client) && map.len() >= MAX_TRACKED {
            map.retain(|_, (since, _)| now < *since + FAILURE_WINDOW);
        }
        let key = if map.contains_key(&client) || map.len() < MAX_TRACKED {
            client
        } else {
            OVERFLOW
        };
        let entry = map.entry(key).or_insert((now, 0));
        if now >= entry.0 + FAILURE_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

// ----------------------------------------------------------------- requests

/// The client's address (the TCP peer), or `0.0.0.0` when the server was started
/// without connection info.
pub fn client_addr(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(OVERFLOW, |c| c.0.ip())
}

/// The client's address as an extractor (never fails; see [`client_addr`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether cookies should be `Secure`: the public URL is https (scheme in any case).
pub fn secure_cookies(public_base_url: &str) -> bool {
    public_base_url
        .trim()
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url.trim()).ok()?;
    Some(u.origin().ascii_serialization().to_ascii_lowercase())
}

/// Whether a state-changing request comes from this site: `Sec-Fetch-Site: same-origin`
/// when the browser sends Fetch metadata; otherwise no `Origin` (not a browser form from
/// elsewhere) or an `Origin` equal to the public URL's or to the `Host` the request was
/// sent to.
pub fn same_origin(headers: &HeaderMap, public_base_url: &str) -> bool {
    // Browsers that send Fetch metadata say it directly. This also covers the
    // `Origin: null` that Chromium sends for form posts from a page whose
    // referrer policy is `no-referrer` (as the agent pages' is).
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site.eq_ignore_ascii_case("same-origin");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let Some(origin) = origin_of(origin) else {
        return false;
    };
    if origin_of(public_base_url).is_some_and(|o| o == origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    host.is_some_and(|h| {
        ["http", "https"]
            .iter()
            .any(|s| origin_of(&format!("{s}://{h}")).is_some_and(|o| o == origin))
    })
}

// ---------------------------------------------------------------- extractor

/// Proof that the request carries the agent token (or a live session cookie).
///
/// Put it first in a handler's arguments so nothing else is looked at before.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The session the cookie belongs to (`None` with a bearer token).
    pub session: Option<String>,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token is configured: the area does not exist (404).
    Off { api: bool },
    /// Missing or wrong credentials (401).
    Unauthorized { api: bool },
    /// Too many failed attempts from this address (429).
    Throttled { api: bool, retry_after: u64 },
    /// A cross-site POST (403).
    CrossSite,
}

/// Whether a path is under `/api/` (JSON answers).
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        let api = is_api(parts.uri.path());
        let auth = &state.auth;
        if !auth.agent_enabled() {
            return Err(Denied::Off { api });
        }
        if let Some(given) = bearer(&parts.headers) {
            let client = client_addr(parts);
            if let Err(retry_after) = auth.may_try(client) {
                return Err(Denied::Throttled { api, retry_after });
            }
            if auth.token_ok(given) {
                return Ok(Agent { session: None });
            }
            auth.failed(client);
            tracing::warn!(%client, "agent bearer token refused");
            return Err(Denied::Unauthorized { api });
        }
        match cookie(&parts.headers, SESSION_COOKIE).and_then(|c| auth.session(c, unix_now())) {
            Some(id) => Ok(Agent { session: Some(id) }),
            None => Err(Denied::Unauthorized { api }),
        }
    }
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        let api_error = |code, message: &str| ApiError::new(code, message).into_response();
        match self {
            Denied::Off { api: true } => ApiError::not_found("no such API route").into_response(),
            Denied::Off { api: false } => super::pages::not_found_page(),
            Denied::CrossSite => super::pages::cross_site_page(),
            Denied::Throttled { api, retry_after } => {
                let mut res = if api {
                    api_error(
                        Code::TooManyAttempts,
                        "too many failed attempts from this address: wait and try again",
                    )
                } else {
                    super::agent_page::login_page(
                        StatusCode::TOO_MANY_REQUESTS,
                        Some("실패한 시도가 너무 많아요. 잠시 후 다시 시도해 주세요."),
                    )
                };
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                res
            }
            Denied::Unauthorized { api } => {
                let mut res = if api {
                    api_error(
                        Code::Unauthorized,
                        "send `Authorization: Bearer <agent token>`",
                    )
                } else {
                    super::agent_page::login_page(StatusCode::UNAUTHORIZED, None)
                };
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"doum-agent\""),
                );
                res
            }
        }
    }
}

/// The `Set-Cookie` value starting a session, or ending it (`value` `None`).
pub fn session_cookie(value: Option<&str>, public_base_url: &str) -> String {
    let secure = if secure_cookies(public_base_url) {
        "; Secure"
    } else {
        ""
    };
    match value {
        Some(v) => format!(
            "{SESSION_COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// A new session's cookie value, valid [`SESSION_SECS`] from now.
pub fn new_session(auth: &Auth) -> Option<String> {
    auth.start_session(unix_now() + SESSION_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn auth(token: &str) -> Auth {
        Auth::new(&WebConfig::new("https://x.example").with_agent_token(Some(token.into())))
    }

    #[test]
    fn hmac_crate_matches_rfc4231() {
        // RFC 4231, test case 2.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tokens_are_trimmed_and_short_ones_refused() {
        assert_eq!(agent_token(None), Ok(None));
        assert_eq!(agent_token(Some("  ")), Ok(None));
        assert_eq!(
            agent_token(Some(&format!(" {TOKEN}\n"))),
            Ok(Some(TOKEN.into()))
        );
        let e = agent_token(Some("a")).unwrap_err();
        assert!(e.contains("1 characters") && e.contains("32"), "{e}");
        assert!(!auth("short").agent_enabled());
        assert!(auth(TOKEN).token_ok(&format!("{TOKEN} ")));
    }

    #[test]
    fn sessions_are_signed_expire_and_end() {
        let a = auth(TOKEN);
        let v = a.start_session(1_000).unwrap();
        assert!(a.session(&v, 999).is_some());
        assert!(a.session(&v, 1_000).is_none());
        // Another token's key does not accept it.
        assert!(auth(&TOKEN.replace('0', "z")).session(&v, 999).is_none());
        // The MAC is not keyed by the raw token.
        let raw = {
            let mut m = <Hmac<Sha256> as Mac>::new_from_slice(TOKEN.as_bytes()).unwrap();
            let (exp_id, _) = v.rsplit_once('.').unwrap();
            m.update(exp_id.as_bytes());
            hex(&m.finalize().into_bytes())
        };
        assert!(!v.ends_with(&raw));
        let forged = v.replacen("1000", "9000", 1);
        assert!(a.session(&forged, 999).is_none());
        assert!(a.session("garbage", 0).is_none());
        let id = a.session(&v, 999).unwrap();
        a.end_session(&id);
        assert!(a.session(&v, 999).is_none());
    }

    #[test]
    fn throttle_counts_per_address_with_bounded_memory() {
        let t = Throttle::new();
        let now = Instant::now();
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(t.check(one, now).is_ok());
            t.failed(one, now);
        }
        assert!(t.check(one, now).is_err());
        assert!(t.check(two, now).is_ok());
        assert!(t.check(one, now + FAILURE_WINDOW).is_ok());
        for i in 0..(MAX_TRACKED as u32 + 50) {
            t.failed(IpAddr::V4(Ipv4Addr::from(i + 1_000_000)), now);
        }
        assert!(t.failures.lock().unwrap().len() <= MAX_TRACKED + 1);
    }

    #[test]
    fn secure_and_origin() {
        assert!(secure_cookies("HTTPS://help.example.com"));
        assert!(!secure_cookies("http://127.0.0.1:8080"));
        let mut h = HeaderMap::new();
        assert!(same_origin(&h, "https://help.example.com"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h, "https://help.example.com"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://HELP.example.com"),
        );
        assert!(same_origin(&h, "https://help.example.com"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:9"),
        );
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:9"));
        assert!(same_origin(&h, "https://help.example.com"));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h, "https://help.example.com"));
    }

    #[test]
    fn headers() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  xyz "),
        );
        assert_eq!(bearer(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(bearer(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; doum_agent=v.x; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("v.x"));
    }
}
