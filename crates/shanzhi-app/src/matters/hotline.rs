//! 12345 hotline work orders, imported in batches as the hotline system
//! exports them (CSV or XLSX, first sheet). Columns, by their Chinese
//! headers: 工单编号, 受理时间, 诉求类型 (反映/咨询/求助/建议/表扬) or 分类代码,
//! 诉求内容, and the place: 经度 + 纬度 (+ 坐标系: wgs84/gcj02/bd09) or 网格编码;
//! optional 地址, 联系人, 联系电话. The whole file is checked first; a file with
//! a bad row is refused whole. Importing the same orders again changes
//! nothing: the order number is the key.

use std::io::Cursor;

use calamine::{Reader, open_workbook_auto_from_rs};
use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_geo::Crs;

use super::IntakeRequest;
use crate::access::Scoped;
use crate::divisions::{ImportRejection, RowProblem};
use crate::{AppError, AppResult};

/// One order, as read.
#[derive(Debug, Clone)]
pub struct HotlineRow {
    pub line: u64,
    pub request: IntakeRequest,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotlineImportReport {
    pub rows: usize,
    pub created: usize,
    pub already_imported: usize,
    pub numbers: Vec<String>,
}

const KINDS: [(&str, &str); 5] = [
    ("反映", "12345.fanying"),
    ("咨询", "12345.zixun"),
    ("求助", "12345.qiuzhu"),
    ("建议", "12345.jianyi"),
    ("表扬", "12345.biaoyang"),
];

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel keeps wall-clock times as days since 1899-12-30.
        Data::DateTime(dt) => {
            let seconds = ((dt.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            jiff::Timestamp::from_second(seconds)
                .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default()
        }
        Data::Error(e) => format!("{e:?}"),
    }
}

/// The file as rows of text, the header first.
fn table(bytes: &[u8], name: &str) -> Result<Vec<Vec<String>>, ImportRejection> {
    let file_problem = |zh: String, en: String| ImportRejection {
        problems: vec![RowProblem { line: None, code: None, message: Bilingual::new(zh, en) }],
        more: 0,
    };
    if name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e| file_problem(format!("无法读取 XLSX：{e}"), format!("cannot read the XLSX file: {e}")))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| file_problem("XLSX 没有工作表".into(), "the XLSX file has no sheet".into()))?
            .map_err(|e| file_problem(format!("无法读取工作表：{e}"), format!("cannot read the sheet: {e}")))?;
        return Ok(range.rows().map(|r| r.iter().map(cell_text).collect()).collect());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| file_problem("不是 UTF-8 编码的 CSV".into(), "not a UTF-8 CSV file".into()))?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| file_problem(format!("无法读取 CSV：{e}"), format!("unreadable CSV: {e}")))?;
        rows.push(r.iter().map(|c| c.trim_start_matches('\u{feff}').to_owned()).collect());
    }
    Ok(rows)
}

/// 受理时间 as the hotline writes it, read as Beijing time.
fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim().replace('/', "-");
    let formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"];
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    formats
        .iter()
        .find_map(|f| jiff::civil::DateTime::strptime(f, &s).ok())
        .and_then(|dt| dt.to_zoned_datetime(tz).ok())
        .map(|z| z.timestamp().as_microsecond())
}

/// Read and check every row.
pub fn parse_hotline(bytes: &[u8], name: &str) -> Result<Vec<HotlineRow>, ImportRejection> {
    let rows = table(bytes, name)?;
    let Some((header, body)) = rows.split_first() else {
        return Err(ImportRejection {
            problems: vec![RowProblem {
                line: None,
                code: None,
                message: Bilingual::new("文件为空", "the file is empty"),
            }],
            more: 0,
        });
    };
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = ["工单编号", "受理时间", "诉求内容"].into_iter().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(ImportRejection {
            problems: vec![RowProblem {
                line: Some(1),
                code: None,
                message: Bilingual::new(
                    format!("缺少列：{}", missing.join("、")),
                    format!("missing columns: {}", missing.join(", ")),
                ),
            }],
            more: 0,
        });
    }
    let get = |row: &Vec<String>, name: &str| {
        col(name).and_then(|i| row.get(i)).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in body.iter().enumerate() {
        let line = i as u64 + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let order = get(row, "工单编号");
        let mut fail = |zh: String, en: String| {
            problems.push(RowProblem { line: Some(line), code: order.clone(), message: Bilingual::new(zh, en) })
        };
        let Some(order_no) = order.clone().filter(|o| o.len() <= 64) else {
            fail("缺少工单编号或过长".into(), "missing or over-long order number".into());
            continue;
        };
        let Some(at) = get(row, "受理时间").as_deref().and_then(parse_time) else {
            fail("受理时间应为 YYYY-MM-DD HH:MM[:SS]".into(), "the time must be YYYY-MM-DD HH:MM[:SS]".into());
            continue;
        };
        let category = match (get(row, "分类代码"), get(row, "诉求类型")) {
            (Some(code), _) => code,
            (None, Some(kind)) => match KINDS.iter().find(|(k, _)| kind.contains(k)) {
                Some((_, code)) => (*code).to_owned(),
                None => {
                    fail(format!("未知的诉求类型“{kind}”"), format!("unknown request kind '{kind}'"));
                    continue;
                }
            },
            (None, None) => {
                fail("缺少诉求类型或分类代码".into(), "missing request kind or category code".into());
                continue;
            }
        };
        let number = |name: &str| get(row, name).map(|v| v.parse::<f64>());
        let (lng, lat) = match (number("经度"), number("纬度")) {
            (Some(Ok(x)), Some(Ok(y))) => (Some(x), Some(y)),
            (None, None) => (None, None),
            _ => {
                fail("经纬度应为数字".into(), "longitude and latitude must be numbers".into());
                continue;
            }
        };
        let crs = match get(row, "坐标系").map(|c| c.parse::<Crs>()) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(m)) => {
                fail(m.zh, m.en);
                continue;
            }
        };
        let grid = get(row, "网格编码");
        if grid.is_none() && lng.is_none() {
            fail("请给出经纬度或网格编码".into(), "give longitude and latitude, or a grid code".into());
            continue;
        }
        out.push(HotlineRow {
            line,
            request: IntakeRequest {
                category,
                lng,
                lat,
                crs,
                grid,
                description: get(row, "诉求内容").unwrap_or_default(),
                channel: Some("hotline".to_owned()),
                address: get(row, "地址"),
                reporter_name: get(row, "联系人"),
                reporter_phone: get(row, "联系电话"),
                attachments: Vec::new(),
                idempotency_key: None,
                external_ref: Some(order_no),
                reported_at: Some(at),
                urgent: false,
                attributes: Default::default(),
                links: Vec::new(),
                photos: Vec::new(),
            },
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(RowProblem {
            line: None,
            code: None,
            message: Bilingual::new("文件没有工单", "the file has no orders"),
        });
    }
    if problems.is_empty() { Ok(out) } else { Err(ImportRejection { problems, more: 0 }) }
}

impl Scoped<'_> {
    /// Import a hotline export. Every row is checked (format, category,
    /// place) before the first is written.
    pub async fn import_hotline(&self, bytes: &[u8], name: &str) -> AppResult<HotlineImportReport> {
        let rows = parse_hotline(bytes, name).map_err(AppError::ImportRejected)?;
        let mut problems = Vec::new();
        for row in &rows {
            let r = &row.request;
            let fail =
                |e: AppError| RowProblem { line: Some(row.line), code: r.external_ref.clone(), message: e.message() };
            if let Err(e) = self.usable_category(&r.category).await {
                problems.push(fail(e));
                continue;
            }
            let placed = match (&r.grid, r.lng, r.lat) {
                (Some(g), _, _) => shanzhi_domain::GridCode::parse(g)
                    .map_err(|m| AppError::BadRequest { code: "invalid_grid_code", message: m })
                    .map(|_| ()),
                (None, Some(x), Some(y)) => self.app.locate(x, y, r.crs.unwrap_or_default()).and_then(|a| {
                    a.location.map(|_| ()).ok_or_else(|| {
                        AppError::invalid("outside_grid", Bilingual::new("位置不在任何网格内", "outside every grid"))
                    })
                }),
                _ => Ok(()),
            };
            if let Err(e) = placed {
                problems.push(fail(e));
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(ImportRejection { problems, more: 0 }));
        }
        let mut report = HotlineImportReport { rows: rows.len(), created: 0, already_imported: 0, numbers: Vec::new() };
        for row in rows {
            let answer = self.intake(row.request).await?;
            if answer.created {
                report.created += 1;
            } else {
                report.already_imported += 1;
            }
            report.numbers.push(answer.matter.number);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hotline_csv_is_read_and_checked_whole() {
        let good = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n\
                    CD001,2026-11-20 09:15,反映类,春熙路井盖松动,104.0806,30.6571,wgs84,王先生,13900001111\n\
                    CD002,2026/11/21 10:00:00,咨询,办理居住证,104.07,30.65,,,\n";
        let rows = parse_hotline(good.as_bytes(), "x.csv").expect("good");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].request.category, "12345.fanying");
        assert_eq!(rows[0].request.external_ref.as_deref(), Some("CD001"));
        assert_eq!(rows[1].request.category, "12345.zixun");
        let bad = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度\n\
                   CD003,yesterday,反映,x,104,30\n\
                   CD004,2026-11-20 09:15,抱怨,x,104,30\n\
                   CD005,2026-11-20 09:15,反映,x,,\n";
        let r = parse_hotline(bad.as_bytes(), "x.csv").expect_err("bad");
        assert_eq!(r.problems.iter().map(|p| p.line).collect::<Vec<_>>(), [Some(2), Some(3), Some(4)]);
        assert!(parse_hotline("a,b\n1,2\n".as_bytes(), "x.csv").is_err(), "missing columns");
        assert!(parse_time("2026-11-20 09:15").is_some() && parse_time("20/11/2026").is_none());
    }
}
