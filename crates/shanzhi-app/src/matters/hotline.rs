//! 12345 hotline work orders, imported in batches as the hotline system
//! exports them (CSV or XLSX, first sheet). Columns, by their Chinese
//! headers: 工单编号, 受理时间, 诉求类型 (反映/咨询/求助/建议/表扬) or 分类代码,
//! 诉求内容, and the place: 经度 + 纬度 (+ 坐标系: wgs84/gcj02/bd09) or 网格编码;
//! optional 地址, 联系人, 联系电话. The whole file is checked first; a file with
//! a bad row is refused whole. Importing the same orders again changes
//! nothing: the order number is the key.

use std::collections::HashMap;

use serde::Serialize;
use shanzhi_domain::notify::NoticeKind;
use shanzhi_domain::similar::a_is_original;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Channel, Matter, Micros};
use shanzhi_geo::Crs;

use super::IntakeRequest;
use super::duplicates::repeats_within;
use super::submit::fingerprint;
use crate::access::DispatchDesk;
use crate::divisions::{ImportRejection, RowProblem};
use crate::table::{TableLimits, read_table, require_columns};
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
    /// Rows that repeat an earlier row of the same file (same order, same content).
    pub repeated_in_file: usize,
    pub numbers: Vec<String>,
    /// Likely repeats (可能重复) the import found: each new or earlier open
    /// matter that repeats another, with the original it points to (the
    /// earliest report of the problem, in this file or before).
    pub possible_duplicates: Vec<DuplicatePair>,
    /// For each new order: the categories its text points to and the
    /// suggested unit (智能分拨), as on the matter's page.
    pub suggestions: Vec<OrderSuggestion>,
}

/// A likely repeat and its original, by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub number: String,
    pub original: String,
}

/// What smart dispatch suggests for one imported order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderSuggestion {
    pub number: String,
    pub categories: Vec<super::CategoryHint>,
    pub unit: Option<super::Suggestion>,
}

const KINDS: [(&str, &str); 5] = [
    ("反映", "12345.fanying"),
    ("咨询", "12345.zixun"),
    ("求助", "12345.qiuzhu"),
    ("建议", "12345.jianyi"),
    ("表扬", "12345.biaoyang"),
];

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
    let rows = read_table(bytes, name, &TableLimits::HOTLINE)?;
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
    require_columns(header, &["工单编号", "受理时间", "诉求内容"])?;
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
                reported_at: Some(Micros::new(at)),
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

/// The same order number twice in one file must be the same order.
fn repeats_in_file(rows: &[HotlineRow]) -> Vec<RowProblem> {
    let mut first: HashMap<&str, (u64, String)> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        let Some(order) = row.request.external_ref.as_deref() else { continue };
        let print = fingerprint(&row.request);
        match first.get(order) {
            Some((line, p)) if *p != print => problems.push(RowProblem {
                line: Some(row.line),
                code: Some(order.to_owned()),
                message: Bilingual::new(
                    format!("工单编号与第 {line} 行相同，但内容不同"),
                    format!("the same order number as line {line}, with different content"),
                ),
            }),
            Some(_) => {}
            None => {
                first.insert(order, (row.line, print));
            }
        }
    }
    problems
}

impl DispatchDesk<'_> {
    /// Import a hotline export: only a dispatcher may (the desk), and only
    /// orders in their own area. The whole file is checked first (every check a report
    /// gets, each problem with its line and order number); then every order
    /// is written in one transaction, or none. An order imported before is
    /// left alone if it is the same order, and refused if its content differs.
    pub async fn import_hotline(&self, bytes: &[u8], name: &str) -> AppResult<HotlineImportReport> {
        let rows = parse_hotline(bytes, name).map_err(AppError::ImportRejected)?;
        let mut problems = repeats_in_file(&rows);
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut prepared = Vec::new();
        for row in &rows {
            let r = &row.request;
            let fail =
                |e: AppError| RowProblem { line: Some(row.line), code: r.external_ref.clone(), message: e.message() };
            let order = r.external_ref.clone().unwrap_or_default();
            let print = fingerprint(r);
            if seen.contains_key(&order) {
                continue;
            }
            seen.insert(order, print.clone());
            match self.check_intake(r).await {
                Ok(checked) => match self.prepare(r, checked, print).await {
                    Ok(p) => prepared.push(p),
                    Err(e) => problems.push(fail(e)),
                },
                Err(e) => problems.push(fail(e)),
            }
        }
        // Orders imported before must be the same orders.
        for chunk in prepared.chunks(500) {
            let refs: Vec<String> = chunk.iter().filter_map(|p| p.new.matter.external_ref.clone()).collect();
            for earlier in self.app.store.matters_by_external_refs(Channel::Hotline, &refs).await? {
                let row = rows.iter().find(|r| r.request.external_ref == earlier.external_ref);
                let now = row.map(|r| fingerprint(&r.request));
                if earlier.request_hash.is_some() && earlier.request_hash != now {
                    problems.push(RowProblem {
                        line: row.map(|r| r.line),
                        code: earlier.external_ref.clone(),
                        message: Bilingual::new(
                            format!("该工单已于此前导入（{}），但内容与此次不同", earlier.number),
                            format!("this order was imported before ({}) with different content", earlier.number),
                        ),
                    });
                }
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(AppError::ImportRejected(ImportRejection { problems, more: 0 }));
        }
        // Each caller with a phone: the receipt with the number, by text.
        for p in &mut prepared {
            let receipt = self.app.phone_notice(&p.new.matter, p.new.first.seq, NoticeKind::Received);
            p.new.notices.extend(receipt);
        }
        let batch: Vec<_> = prepared.iter().map(|p| p.new.clone()).collect();
        // The holders hear once for the whole import, in its transaction.
        let matters: Vec<&Matter> = batch.iter().map(|n| &n.matter).collect();
        let grouped = self.app.import_notices(&matters, self.actor.user_id()).await?;
        let outcomes = self.app.store.create_matters(&batch, &grouped).await?;
        let mut report = HotlineImportReport {
            rows: rows.len(),
            created: 0,
            already_imported: 0,
            repeated_in_file: rows.len() - batch.len(),
            numbers: Vec::new(),
            possible_duplicates: Vec::new(),
            suggestions: Vec::new(),
        };
        let mut new = Vec::new();
        for (p, created) in prepared.into_iter().zip(outcomes) {
            let original_at = p.repeats.original.as_ref().map(|o| (o.reported_at, o.number.clone()));
            let mut stored = p.new.matter.clone();
            let (answer, repointed) = self.finish_with_repeats(p, created).await?;
            if answer.created {
                report.created += 1;
                stored.number = answer.matter.number.clone();
                for later in repointed {
                    report.possible_duplicates.push(DuplicatePair { number: later, original: stored.number.clone() });
                }
                new.push((stored, original_at));
                report.suggestions.push(OrderSuggestion {
                    number: answer.matter.number.clone(),
                    categories: answer.suggested_categories,
                    unit: answer.suggestion,
                });
            } else {
                report.already_imported += 1;
            }
            report.numbers.push(answer.matter.number);
        }
        self.repeats_in_batch(&mut new, &mut report).await?;
        tracing::info!(created = report.created, already = report.already_imported, "hotline orders imported");
        Ok(report)
    }
}

impl DispatchDesk<'_> {
    /// The file's own rows are not in the store when each is prepared:
    /// repeats among them are found once all are written, the earliest the
    /// original (unless the store held an earlier one still).
    async fn repeats_in_batch(
        &self,
        new: &mut [(Matter, Option<(Micros, String)>)],
        report: &mut HotlineImportReport,
    ) -> AppResult<()> {
        let dictionary = self.app.dictionary().await?;
        let matters: Vec<Matter> = new.iter().map(|(m, _)| m.clone()).collect();
        for (j, i) in repeats_within(&dictionary, &matters) {
            let (original, later) = (&matters[i], &matters[j]);
            let earlier_in_store = new[j]
                .1
                .as_ref()
                .is_some_and(|(at, number)| a_is_original(*at, number, original.reported_at, &original.number));
            if !earlier_in_store {
                self.app.store.mark_duplicates(std::slice::from_ref(&later.id), &original.number).await?;
                new[j].1 = Some((original.reported_at, original.number.clone()));
            }
        }
        for (m, original) in new.iter() {
            if let Some((_, o)) = original {
                report.possible_duplicates.push(DuplicatePair { number: m.number.clone(), original: o.clone() });
            }
        }
        // A matter re-pointed twice keeps the last original it was given.
        let mut seen = std::collections::HashSet::new();
        let mut pairs: Vec<DuplicatePair> =
            report.possible_duplicates.drain(..).rev().filter(|p| seen.insert(p.number.clone())).collect();
        pairs.sort_by(|a, b| a.number.cmp(&b.number));
        report.possible_duplicates = pairs;
        Ok(())
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
