//! Open311 GeoReport v2 under `/open311/v2/` (discovery also at `/open311/`
//! and the site root): `{resource}.json` or `{resource}.xml`, parameters in
//! the query string or a form body (URL-encoded or multipart), errors as the
//! spec's `errors` list with 400, 403 or 404. Unknown parameters are ignored,
//! and an empty parameter counts as absent, as the spec asks.

mod body;
pub(crate) mod params;
mod records;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shanzhi_app::access::Actor;
use shanzhi_app::open311::{RequestFilter, RequestPost, UpdateFilter, UpdatePost};
use shanzhi_app::{AppError, access::Scoped};
use shanzhi_domain::DivisionCode;
use shanzhi_domain::text::Bilingual;

use crate::AppState;
use body::{Format, Node, render};
use params::Params;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/discovery.json", get(root_discovery_json))
        .route("/discovery.xml", get(root_discovery_xml))
        .route("/open311/{file}", get(open311_root))
        .route("/open311/v2/{file}", get(read).post(write))
        .route("/open311/v2/{collection}/{file}", get(read_one))
}

/// A refusal in the spec's format.
#[derive(Debug)]
struct Failure {
    format: Format,
    status: StatusCode,
    message: Bilingual,
}

impl Failure {
    fn bad(format: Format, message: Bilingual) -> Failure {
        Failure { format, status: StatusCode::BAD_REQUEST, message }
    }

    /// 404 for what does not exist, 403 for keys and rights, 400 for the
    /// rest; our own failures stay 5xx (logged) so clients retry them.
    fn app(format: Format, e: AppError) -> Failure {
        let status = match &e {
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Unauthorized(_) | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(err) => {
                tracing::error!(error = %err, "open311 request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            // Unknown grids and the like are refusals of the input: the spec has 400.
            _ => StatusCode::BAD_REQUEST,
        };
        Failure { format, status, message: e.message() }
    }

    fn unknown(format: Format, path: &str) -> Failure {
        Failure {
            format,
            status: StatusCode::NOT_FOUND,
            message: Bilingual::new(format!("Open311 没有资源“{path}”"), format!("no Open311 resource '{path}'")),
        }
    }
}

/// The spec's error body: a list of `{code, description}`; the description
/// carries Chinese and English.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let node = Node::list(
            "error",
            vec![Node::Object(vec![
                ("code", Node::Integer(i64::from(self.status.as_u16()))),
                ("description", Node::text(format!("{} / {}", self.message.zh, self.message.en))),
            ])],
        );
        render(self.format, self.status, "errors", &node)
    }
}

type Reply = Result<Response, Failure>;

/// One Open311 call: its format, parameters, caller and base URL.
struct Call {
    format: Format,
    params: Params,
    actor: Actor,
    base: String,
}

impl Call {
    async fn new(state: &AppState, format: Format, params: Params, headers: &HeaderMap) -> Result<Call, Failure> {
        // PostgreSQL cannot store a NUL in text: refused alike everywhere.
        if params.has_nul() {
            return Err(Failure::bad(
                format,
                Bilingual::new("参数中不能含有空字符（NUL）", "parameters must not contain NUL characters"),
            ));
        }
        let bearer = crate::extract::bearer_token(headers);
        let actor = match params.get("api_key").or(bearer) {
            None => Actor::anonymous(),
            Some(k) => state.app.authenticate(k).await.map_err(|_| Failure {
                format,
                status: StatusCode::FORBIDDEN,
                message: Bilingual::new("api_key 无效或已被吊销", "the api_key is invalid or revoked"),
            })?,
        };
        Ok(Call { format, params, actor, base: base_url(state) })
    }

    fn fail(&self, e: AppError) -> Failure {
        Failure::app(self.format, e)
    }

    async fn jurisdiction(&self, scoped: &Scoped<'_>) -> Result<Option<DivisionCode>, Failure> {
        scoped.open311_jurisdiction(self.params.get("jurisdiction_id")).await.map_err(|e| self.fail(e))
    }
}

/// `GET requests`: the filter its parameters give (the jurisdiction is
/// resolved against the store first). Pure, so the fuzz target runs it.
pub(crate) fn request_filter(p: &Params, jurisdiction: Option<DivisionCode>) -> Result<RequestFilter, Bilingual> {
    Ok(RequestFilter {
        service_request_ids: p.list("service_request_id"),
        service_codes: p.list("service_code"),
        start_date: p.get("start_date").map(str::to_owned),
        end_date: p.get("end_date").map(str::to_owned),
        statuses: p.list("status"),
        updated_after: p.get("updated_after").map(str::to_owned),
        jurisdiction,
        page: p.number("page")?,
        // `count` is what the `three` client sends for page_size.
        page_size: p.number("page_size")?.or(p.number("count")?),
        extensions: p.flag("extensions"),
    })
}

/// `POST servicerequestupdates`: the update its parameters give.
fn update_post(p: &Params, media: Vec<Vec<u8>>) -> UpdatePost {
    let text = |name: &str| p.get(name).map(str::to_owned);
    UpdatePost {
        service_request_id: text("service_request_id"),
        update_id: text("update_id"),
        status: text("status"),
        updated_datetime: text("updated_datetime"),
        description: text("description"),
        media_url: p.all("media_url").into_iter().chain(p.all("media_url[]")).next(),
        media,
    }
}

/// `GET servicerequestupdates`: the filter its parameters give.
pub(crate) fn update_filter(p: &Params, jurisdiction: Option<DivisionCode>) -> Result<UpdateFilter, Bilingual> {
    Ok(UpdateFilter {
        start_date: p.get("start_date").map(str::to_owned),
        end_date: p.get("end_date").map(str::to_owned),
        jurisdiction,
        page: p.number("page")?,
        page_size: p.number("page_size")?,
    })
}

/// `POST requests`: the report its form gives.
pub(crate) fn request_post(p: &Params, jurisdiction: Option<DivisionCode>, media: Vec<Vec<u8>>) -> RequestPost {
    let text = |name: &str| p.get(name).map(str::to_owned);
    RequestPost {
        jurisdiction,
        service_code: text("service_code"),
        lat: text("lat"),
        long: text("long"),
        address_string: text("address_string"),
        address_id: text("address_id"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        phone: text("phone"),
        description: text("description"),
        attributes: p.attributes(),
        media,
        media_urls: p.all("media_url"),
    }
}

/// This service's configured public address (for media URLs and discovery):
/// never the request's `Host`, which a client could set to anything.
fn base_url(state: &AppState) -> String {
    state.public_url.to_string()
}

/// Split the format suffix off, or refuse with 400 (in XML, the required format).
fn split(file: &str) -> Result<(&str, Format), Failure> {
    match Format::split(file) {
        Some((stem, Some(f))) => Ok((stem, f)),
        _ => Err(Failure::bad(
            Format::Xml,
            Bilingual::new(format!("“{file}”应以 .json 或 .xml 结尾"), format!("'{file}' must end in .json or .xml")),
        )),
    }
}

fn ok(format: Format, root: &str, node: &Node) -> Reply {
    Ok(render(format, StatusCode::OK, root, node))
}

async fn root_discovery_json(State(state): State<AppState>) -> Response {
    render(Format::Json, StatusCode::OK, "discovery", &records::discovery(&base_url(&state)))
}

async fn root_discovery_xml(State(state): State<AppState>) -> Response {
    render(Format::Xml, StatusCode::OK, "discovery", &records::discovery(&base_url(&state)))
}

async fn open311_root(State(state): State<AppState>, Path(file): Path<String>) -> Reply {
    match split(&file)? {
        ("discovery", f) => ok(f, "discovery", &records::discovery(&base_url(&state))),
        (_, f) => Err(Failure::unknown(f, &file)),
    }
}

async fn read(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Reply {
    let (stem, format) = split(&file)?;
    let call = Call::new(&state, format, Params::from_query(query.as_deref()), &headers).await?;
    let scoped = state.app.scoped(call.actor.clone());
    let jurisdiction = call.jurisdiction(&scoped).await?;
    match stem {
        "discovery" => ok(format, "discovery", &records::discovery(&call.base)),
        "services" => {
            let services = scoped.open311_services().await.map_err(|e| call.fail(e))?;
            ok(format, "services", &records::services(&services))
        }
        "requests" => {
            let filter = request_filter(&call.params, jurisdiction).map_err(|m| Failure::bad(format, m))?;
            let requests = scoped.open311_requests(filter).await.map_err(|e| call.fail(e))?;
            ok(format, "service_requests", &records::requests(&requests, &call.base))
        }
        "servicerequestupdates" => {
            let filter = update_filter(&call.params, jurisdiction).map_err(|m| Failure::bad(format, m))?;
            let updates = scoped.open311_updates(filter).await.map_err(|e| call.fail(e))?;
            ok(format, "service_request_updates", &records::updates(&updates, &call.base))
        }
        _ => Err(Failure::unknown(format, &file)),
    }
}

async fn read_one(
    State(state): State<AppState>,
    Path((collection, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Reply {
    if collection == "media" {
        return media(&state, &file, query.as_deref(), &headers).await;
    }
    let (id, format) = split(&file)?;
    let call = Call::new(&state, format, Params::from_query(query.as_deref()), &headers).await?;
    let scoped = state.app.scoped(call.actor.clone());
    call.jurisdiction(&scoped).await?;
    match collection.as_str() {
        "services" => {
            let definition = scoped.open311_service(id).await.map_err(|e| call.fail(e))?;
            ok(format, "service_definition", &records::definition(&definition))
        }
        "requests" => {
            let request = scoped.open311_request(id, call.params.flag("extensions")).await.map_err(|e| call.fail(e))?;
            ok(format, "service_requests", &records::requests(&[request], &call.base))
        }
        "tokens" => {
            let (number, token) = scoped.open311_token(id).await.map_err(|e| call.fail(e))?;
            ok(format, "service_requests", &records::token(&number, &token))
        }
        _ => Err(Failure::unknown(format, &format!("{collection}/{file}"))),
    }
}

/// A photo of a request (`media_url`), under the same visibility as the request.
async fn media(state: &AppState, id: &str, query: Option<&str>, headers: &HeaderMap) -> Reply {
    let call = Call::new(state, Format::Json, Params::from_query(query), headers).await?;
    let (content_type, data) =
        state.app.scoped(call.actor.clone()).open311_media(id).await.map_err(|e| call.fail(e))?;
    Ok(crate::routes::attachments::photo_response(content_type, data))
}

/// `POST requests.{fmt}` and `POST servicerequestupdates.{fmt}`:
/// URL-encoded or multipart (with `media` files).
async fn write(State(state): State<AppState>, Path(file): Path<String>, request: Request) -> Reply {
    let (stem, format) = split(&file)?;
    if stem != "requests" && stem != "servicerequestupdates" {
        return Err(Failure::unknown(format, &file));
    }
    let headers = request.headers().clone();
    let query = request.uri().query().map(str::to_owned);
    let (params, media) = read_form(&state, request).await.map_err(|m| Failure::bad(format, m))?;
    // The api_key may come in the query string too (the `open311` package).
    let call = Call::new(&state, format, params.with(Params::from_query(query.as_deref())), &headers).await?;
    let scoped = state.app.scoped(call.actor.clone());
    if stem == "servicerequestupdates" {
        call.jurisdiction(&scoped).await?;
        let posted = scoped.open311_post_update(update_post(&call.params, media)).await.map_err(|e| call.fail(e))?;
        let status = if posted.created { StatusCode::CREATED } else { StatusCode::OK };
        return Ok(render(format, status, "service_request_updates", &records::posted_update(&posted)));
    }
    let post = request_post(&call.params, call.jurisdiction(&scoped).await?, media);
    let posted = scoped.open311_post(post).await.map_err(|e| call.fail(e))?;
    Ok(render(format, StatusCode::CREATED, "service_requests", &records::posted(&posted)))
}

/// The form's fields and uploaded files.
async fn read_form(state: &AppState, request: Request) -> Result<(Params, Vec<Vec<u8>>), Bilingual> {
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let (fields, media) =
            crate::ui::form::read_multipart(request, state, |name| name == "media" || name == "media[]").await?;
        return Ok((Params::new(fields), media));
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|_| Bilingual::new("请求体过大或无法读取", "the body is too large or unreadable"))?;
    Ok((Params::from_form(&bytes), Vec::new()))
}
