//! Extractors whose rejections speak the JSON error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use shanzhi_app::access::{Actor, SESSION_COOKIE, Scoped, Via};
use shanzhi_domain::text::Bilingual;

use crate::{ApiError, AppState};

/// `Query<T>` answering a bad query string with a 400 JSON error.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(nul_refused());
        }
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_error(&e)),
        }
    }
}

/// A query string (without the `?`) read as `T`, refused as [`ApiQuery`] would.
pub fn query_from_str<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    if text.contains("%00") {
        return Err(nul_refused());
    }
    let uri: axum::http::Uri = format!("/?{text}").parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_query",
            Bilingual::new("查询参数无效", "the query string is not a valid URI part"),
        )
    })?;
    Query::<T>::try_from_uri(&uri).map(|Query(v)| v).map_err(|e| query_error(&e))
}

fn query_error(e: &axum::extract::rejection::QueryRejection) -> ApiError {
    let text = e.body_text();
    // A typed parameter's own code (`invalid_state` …), else the generic one.
    let (code, message) = crate::params::coded_error(&text).unwrap_or_else(|| {
        ("invalid_query", Bilingual::new("查询参数无效，请检查参数名和取值", format!("invalid query: {text}")))
    });
    ApiError::bad_request(code, message)
}

/// `Json<T>` answering a bad body with a JSON error: 400 for malformed or
/// wrongly shaped JSON, 415 without a JSON content type.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
        if json_has_nul(&bytes) {
            return Err(nul_refused());
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE))
            }
            Err(e) => Err(ApiError::bad_request(
                "invalid_json",
                Bilingual::new("请求体不是有效的 JSON 或字段不符", format!("invalid JSON body: {}", e.body_text())),
            )),
        }
    }
}

/// `application/json` or a `+json` type, as axum's `Json` requires.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a JSON text holds a NUL character (`\u0000` in a string; a raw
/// NUL is no valid JSON). PostgreSQL cannot store one in text: refused here
/// for every backend alike, before anything is parsed into a request.
pub(crate) fn json_has_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') && bytes.get(i + 2..i + 6) == Some(b"0000".as_slice()) {
                return true;
            }
            i += 2; // the escaped character, whatever it is
        } else {
            i += 1;
        }
    }
    false
}

/// The refusal of text with a NUL character (JSON, query strings, forms).
pub(crate) fn nul_refused() -> ApiError {
    ApiError::bad_request(
        "invalid_text",
        Bilingual::new("文本中不能含有空字符（NUL，\\u0000）", "text must not contain NUL characters (\\u0000)"),
    )
}

/// The signed-in caller: a bearer token (`Authorization: Bearer …`, a session
/// or API token) or the session cookie. Cookie requests that change things
/// must carry the session's CSRF token in `X-CSRF-Token`.
#[derive(Debug)]
pub struct Caller(pub Actor);

fn bearer(parts: &Parts) -> Option<&str> {
    bearer_token(&parts.headers)
}

/// The token of `Authorization: Bearer …`; the scheme's name is
/// case-insensitive (RFC 9110 §11.1), so `bearer …` works too.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (token, from_cookie) = match (bearer(parts), session_cookie(parts)) {
            (Some(t), _) => (t.to_owned(), false),
            (None, Some(c)) => (c.to_owned(), true),
            (None, None) => return Err(ApiError::for_status(StatusCode::UNAUTHORIZED)),
        };
        let actor = state.app.authenticate(&token).await?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if from_cookie && unsafe_method {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            let expected = match actor.via() {
                Via::Session { csrf_token, .. } => Some(csrf_token.as_str()),
                _ => None,
            };
            if sent.is_none() || sent != expected {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_failed",
                    Bilingual::new("缺少或错误的 X-CSRF-Token", "missing or wrong X-CSRF-Token"),
                ));
            }
        }
        Ok(Caller(actor))
    }
}

/// The caller if signed in, else anonymous (for reporting without an account).
/// Credentials that are present but wrong are still refused.
#[derive(Debug)]
pub struct MaybeCaller(pub Actor);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if bearer(parts).is_none() && session_cookie(parts).is_none() {
            return Ok(MaybeCaller(Actor::anonymous()));
        }
        Caller::from_request_parts(parts, state).await.map(|Caller(a)| MaybeCaller(a))
    }
}

/// The application as one caller sees it: what nearly every API handler
/// needs, so that a handler names one extractor instead of the state and the
/// caller. `Api` requires a signed-in caller; `PublicApi` also takes an
/// anonymous one (reporting without an account, the public calendar).
#[derive(Debug)]
pub struct Api {
    pub state: AppState,
    pub actor: Actor,
}

impl Api {
    /// The caller's scoped handle on the application.
    pub fn scoped(&self) -> Scoped<'_> {
        self.state.app.scoped(self.actor.clone())
    }
}

impl FromRequestParts<AppState> for Api {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        Ok(Api { state: state.clone(), actor })
    }
}

/// [`Api`] for a caller who may be anonymous (see [`MaybeCaller`]).
#[derive(Debug)]
pub struct PublicApi(pub Api);

impl std::ops::Deref for PublicApi {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.0
    }
}

impl FromRequestParts<AppState> for PublicApi {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MaybeCaller(actor) = MaybeCaller::from_request_parts(parts, state).await?;
        Ok(PublicApi(Api { state: state.clone(), actor }))
    }
}
