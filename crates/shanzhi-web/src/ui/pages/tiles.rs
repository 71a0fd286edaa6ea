//! `GET /map/tiles.pmtiles`: the deployer's PMTiles base map (`map_tiles_file`),
//! served from this host with byte ranges, which is how the browser's PMTiles
//! reader fetches its header, directories and tiles. Not configured: 404.

use std::io::SeekFrom;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shanzhi_domain::text::Bilingual;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::{ApiError, AppState};

/// Bytes read per chunk of the answer: a large file or range is streamed,
/// never held in memory whole.
const CHUNK: u64 = 64 * 1024;

pub async fn pmtiles(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(path) = state.map_tiles_file.clone() else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "no_base_map",
            Bilingual::new("未配置底图文件", "no base-map file is configured"),
        )
        .into_response();
    };
    let file = match tokio::fs::File::open(&*path).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "map_tiles_file cannot be opened");
            return ApiError::new(
                StatusCode::NOT_FOUND,
                "no_base_map",
                Bilingual::new("底图文件无法读取", "the base-map file cannot be read"),
            )
            .into_response();
        }
    };
    let len = match file.metadata().await {
        Ok(m) => m.len(),
        Err(_) => return ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response(),
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, start, end) = match range.map(|r| byte_range(r, len)) {
        None => (StatusCode::OK, 0, len),
        Some(Some((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end),
        Some(None) => {
            let mut r = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                Bilingual::new(
                    format!("请求的字节范围无效（文件共 {len} 字节）"),
                    format!("bad byte range (the file has {len} bytes)"),
                ),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let mut response = Response::new(Body::from_stream(slice(file, start, end)));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.pmtiles"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{len}", end - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// The half-open byte span `[start, end)` of a single `bytes=` range within a
/// file of `len` bytes; `None` when it is malformed, unsatisfiable or several
/// ranges (a PMTiles reader asks for one at a time).
fn byte_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || spec.len() > 64 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        // `bytes=-N`: the last N bytes.
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() { len } else { b.parse::<u64>().ok()?.saturating_add(1).min(len) };
        (start, end)
    };
    (start < end && start < len).then_some((start, end))
}

/// The file's bytes `[start, end)`, read a chunk at a time.
fn slice(
    file: tokio::fs::File,
    start: u64,
    end: u64,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    futures_util::stream::unfold((file, start, false), move |(mut file, at, seeked)| async move {
        if at >= end {
            return None;
        }
        if !seeked && let Err(e) = file.seek(SeekFrom::Start(at)).await {
            return Some((Err(e), (file, end, true)));
        }
        let mut buf = vec![0; (end - at).min(CHUNK) as usize];
        match file.read_exact(&mut buf).await {
            Ok(_) => {
                let next = at + buf.len() as u64;
                Some((Ok(buf), (file, next, true)))
            }
            // A file cut short while being read ends the answer early.
            Err(e) => Some((Err(e), (file, end, true))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-99", 1000), Some((0, 100)));
        assert_eq!(byte_range("bytes=990-2000", 1000), Some((990, 1000)));
        assert_eq!(byte_range("bytes=10-", 1000), Some((10, 1000)));
        assert_eq!(byte_range("bytes=-10", 1000), Some((990, 1000)));
        assert_eq!(byte_range("bytes=1000-", 1000), None);
        assert_eq!(byte_range("bytes=5-4", 1000), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(byte_range("items=0-1", 1000), None);
        assert_eq!(byte_range("bytes=x-1", 1000), None);
    }
}
