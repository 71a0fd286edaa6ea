//! `/api/v1/log…`: the transparency log. The public key, the latest signed
//! checkpoint, inclusion and consistency proofs are public (hashes tell
//! nothing about a record); a matter's leaves go to whoever may see the
//! matter; `POST /log/witness` cosigns another log's checkpoint.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shanzhi_app::tlog::{ConsistencyView, HeadView, InclusionView, MatterLogView, parse_witness_request};
use shanzhi_domain::text::Bilingual;

use utoipa_axum::router::OpenApiRouter;

use crate::extract::{ApiQuery, PublicApi};
use crate::openapi::Refusals;
use crate::{ApiError, ApiResult, AppState};

pub fn routes() -> OpenApiRouter<AppState> {
    api_router![key; checkpoint; head; proof; consistency; witness; matter_log]
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct KeyView {
    /// 检查点签名公钥（C2SP vkey） / the key checkpoints are signed with (a C2SP vkey)
    key: String,
    /// 日志名称（检查点首行） / the log's origin (a checkpoint's first line)
    origin: String,
    /// 此前用过的公钥（轮换前） / keys the log signed with before
    earlier_keys: Vec<String>,
}

/// 日志公钥 / the log's public key.
#[utoipa::path(get, path = "/log/key", operation_id = "showLogKey", tag = "log", responses((status = 200, body = KeyView), Refusals))]
async fn key(State(state): State<AppState>) -> ApiResult<Json<KeyView>> {
    let (current, earlier) = state.app.log_keys()?;
    Ok(Json(KeyView {
        origin: current.name.clone(),
        key: current.to_text(),
        earlier_keys: earlier.iter().map(|k| k.to_text()).collect(),
    }))
}

/// 最新签名检查点（C2SP 签名文本） / the latest signed checkpoint, as a C2SP signed note.
#[utoipa::path(get, path = "/log/checkpoint", operation_id = "showLogCheckpoint", tag = "log",
    responses((status = 200, body = String, content_type = "text/plain"), Refusals))]
async fn checkpoint(State(state): State<AppState>) -> ApiResult<Response> {
    match state.app.latest_checkpoint().await? {
        Some(c) => Ok(text(c.to_text())),
        None => Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "checkpoint_not_found",
            Bilingual::new("尚未签发检查点", "no checkpoint has been signed yet"),
        )),
    }
}

/// 日志当前规模与根哈希 / the tree's size and root now.
#[utoipa::path(get, path = "/log/head", operation_id = "showLogHead", tag = "log", responses((status = 200, body = HeadView), Refusals))]
async fn head(State(state): State<AppState>) -> ApiResult<Json<HeadView>> {
    Ok(Json(state.app.log_head().await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ProofQuery {
    /// 日志条目序号（从 0 起） / the leaf's index (from 0)
    leaf: u64,
    /// 树的规模（默认最新检查点） / the tree size (default: the latest checkpoint's)
    size: Option<u64>,
}

/// 包含证明（RFC 9162） / an inclusion proof (RFC 9162 §2.1.3).
#[utoipa::path(get, path = "/log/proof", operation_id = "showInclusionProof", tag = "log", params(ProofQuery),
    responses((status = 200, body = InclusionView), Refusals))]
async fn proof(State(state): State<AppState>, ApiQuery(q): ApiQuery<ProofQuery>) -> ApiResult<Json<InclusionView>> {
    Ok(Json(state.app.log_inclusion(q.leaf, q.size).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ConsistencyQuery {
    /// 旧树规模 / the old tree size
    from: u64,
    /// 新树规模（默认当前） / the new tree size (default: now)
    to: Option<u64>,
}

/// 一致性证明（RFC 9162） / a consistency proof (RFC 9162 §2.1.4).
#[utoipa::path(get, path = "/log/consistency", operation_id = "showConsistencyProof", tag = "log", params(ConsistencyQuery),
    responses((status = 200, body = ConsistencyView), Refusals))]
async fn consistency(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ConsistencyView>> {
    Ok(Json(state.app.log_consistency(q.from, q.to).await?))
}

/// 见证：核对另一日志的新检查点与此前所见一致后副署（C2SP tlog-witness 的 add-checkpoint 格式） /
/// witness another log's checkpoint: cosign it if it extends what was seen (C2SP add-checkpoint body).
#[utoipa::path(post, path = "/log/witness", operation_id = "witnessCheckpoint", tag = "log", request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = String, content_type = "text/plain"), Refusals))]
async fn witness(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let body = std::str::from_utf8(&body).map_err(|_| {
        ApiError::bad_request(
            "witness_request_invalid",
            Bilingual::new("见证请求不是 UTF-8 文本", "the witness request is not UTF-8 text"),
        )
    })?;
    let request = parse_witness_request(body)?;
    Ok(text(state.app.witness(&request).await?))
}

/// 事件在日志中的条目（可见该事件者） / a matter's entries in the log (for whoever may see the matter).
#[utoipa::path(get, path = "/matters/{id}/log", operation_id = "listMatterLogEntries", tag = "log", params(("id" = String, Path)),
    responses((status = 200, body = MatterLogView), Refusals))]
async fn matter_log(api: PublicApi, Path(id): Path<String>) -> ApiResult<Json<MatterLogView>> {
    Ok(Json(api.scoped().matter_log(&id).await?))
}
