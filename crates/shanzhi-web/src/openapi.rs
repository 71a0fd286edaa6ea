//! The OpenAPI 3.1 document of the native API, generated from the handlers'
//! `#[utoipa::path]` declarations (one per handler, beside it), served at
//! `/api/openapi.json` and browsable at `/api/docs` with Swagger UI vendored
//! from npm (`/assets/vendor/`, see its README): no other host is contacted.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::schema::Vocabulary;

/// The document as JSON, built once at start.
#[derive(Debug, Clone)]
pub struct ApiDocument(pub Arc<str>);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "善治 Shanzhi API",
        description = "成都模式网格化基层治理平台的原生 JSON 接口（/api/v1）。登录后以 Bearer 令牌调用；\
            错误统一为 {\"error\": {\"code\", \"message\", \"message_en\", \"details\"}}。\
            Open311 GeoReport v2 另见 /open311/v2/discovery.json。\n\n\
            The native JSON API of Shanzhi, the Chengdu-model grid governance platform. Sign in \
            (POST /api/v1/auth/login) and send the token as `Authorization: Bearer …`, or use an API \
            token from `shanzhi token create`. Every error has the same body; Open311 GeoReport v2 \
            lives under /open311/v2.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&Security, &Vocabulary),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "auth", description = "登录与身份 / sign-in"),
        (name = "matters", description = "事件：上报、查询、流转 / matters: report, read, commands"),
        (name = "attachments", description = "照片与热线导入 / photos and hotline imports"),
        (name = "dictionary", description = "事项分类与职责清单 / categories and duty lists"),
        (name = "grid", description = "行政区划、网格与定位 / divisions, grids, locating"),
        (name = "people", description = "人员、部门、巡查 / people, departments, patrols"),
        (name = "time", description = "工作日历、时限与督办扫描 / calendar, time limits, sweep"),
        (name = "deliberation", description = "以事聚人、聚人成事：议题、附议、议事会表决、公示、社区资金 / residents decide together: proposals, support, council votes, public notice, the community fund"),
        (name = "cases", description = "善治成都案例库：政策解读、书记访谈、案例展示、创新经验，编辑撰写、市级审核、公开发布 / the case library: written by district and town editors, reviewed by the city, published"),
        (name = "volunteers", description = "志愿服务与公益积分：活动报名、现场签到签退、积分台账、兑换与核销、排行 / volunteers and points: sign-up, on-site check-in and out, the points ledger, rewards, the leaderboard"),
        (name = "register", description = "网格登记（人、地、事、物、组织）与关爱对象 / the grid's register and care marks"),
        (name = "tasks", description = "任务：交办、逐点检查、完成与预警 / tasks given to grid workers, checked site by site"),
        (name = "figures", description = "指标、排名与导出 / indicators, rankings, exports"),
        (name = "system", description = "健康检查与审计 / health and audit"),
        (name = "notifications", description = "通知：站内消息、渠道与免打扰 / notifications: the inbox, channels, quiet hours"),
        (name = "log", description = "透明日志：检查点、证明、见证 / the transparency log: checkpoints, proofs, witnessing"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("会话令牌（szs_…）或 API 令牌（szt_…） / a session or API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                shanzhi_app::access::SESSION_COOKIE,
                "浏览器会话；写操作另需 X-CSRF-Token / browser session; writes also need X-CSRF-Token",
            ))),
        );
    }
}

/// Raw bytes in a request or response (a photo, a spreadsheet): the document
/// says `type: string, format: binary`, which generators read as a file,
/// where `Vec<u8>` would say an array of integers.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {}

/// Every error of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code (`matter_not_found`, `wrong_state` …).
    pub code: String,
    /// 中文说明
    pub message: String,
    /// The same in English.
    pub message_en: String,
    /// Extra facts: the commands allowed now (409), every bad line of an import …
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub details: Option<serde_json::Value>,
}

/// The refusals any call may meet.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// 请求格式或取值有误 / malformed or invalid input
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// 未登录或令牌无效 / not signed in
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// 无权执行 / not allowed for this caller
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// 不存在或不在管辖范围内 / not found or outside the caller's scope
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// 状态不允许（details 列出当前可执行的命令） / the state does not allow it
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// 请求体过大 / body too large
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// 内容类型不支持 / unsupported content type
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// 业务规则不允许 / refused by the rules
    #[response(status = 422)]
    Unprocessable(ErrorBody),
    /// 尝试过多，稍后再试 / too many attempts
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// 暂时忙或数据库不可用，按 Retry-After（如有）稍后重试 / busy or the store unavailable: retry later
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

pub async fn document(State(doc): State<ApiDocument>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc.0.to_string()).into_response()
}

/// The docs page: Swagger UI from the vendored npm package.
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("../assets/docs.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_details_are_optional() {
        let schema = serde_json::to_value(<ErrorDetail as utoipa::PartialSchema>::schema()).expect("json");
        let required = schema["required"].as_array().expect("required");
        assert!(!required.iter().any(|r| r == "details"), "{schema}");
        assert!(required.iter().any(|r| r == "message_en"));
    }
}
