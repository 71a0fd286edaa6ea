//! The matter list as officials take it into Excel (`shanzhi export matters`,
//! `GET /exports/matters`): the list's filters, Chinese headers, names
//! instead of codes, one row per matter, read a batch at a time so that any
//! number of rows goes out in bounded memory. Reporters' names and phones
//! are never exported (they are read one matter at a time, and recorded).

use std::collections::HashMap;

use shanzhi_domain::category::Severity;
use shanzhi_domain::indicators::Places;
use shanzhi_domain::{Assignee, DivisionCode, GridCode, Matter, Micros, Rating};

use super::read::{BATCH, MatterPages};
use crate::access::{Actor, Scoped};
use crate::grids::GridFilter;
use crate::matters::MatterFilter;
use crate::{App, AppError, AppResult};

/// Rows an XLSX sheet holds below its header.
pub const MAX_SHEET_ROWS: u64 = 1_048_575;

/// The columns, in order.
pub const MATTER_HEADERS: [&str; 23] = [
    "工单号",
    "状态",
    "上报时间",
    "来源渠道",
    "条线",
    "事项分类",
    "紧急程度",
    "区（市）县",
    "街道（镇）",
    "社区",
    "网格",
    "地址",
    "问题描述",
    "承办单位",
    "办理层级",
    "当前环节",
    "环节期限",
    "预警",
    "满意度",
    "返工次数",
    "退回次数",
    "督办次数",
    "最后更新",
];

/// Widths of the columns in the sheet (characters).
const WIDTHS: [f64; 23] = [
    18.0, 8.0, 17.0, 10.0, 8.0, 16.0, 8.0, 12.0, 14.0, 16.0, 20.0, 24.0, 48.0, 20.0, 8.0, 8.0, 17.0, 6.0, 8.0, 8.0,
    8.0, 8.0, 17.0,
];

/// The export's file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SheetFormat {
    #[default]
    Csv,
    Xlsx,
}

impl std::str::FromStr for SheetFormat {
    type Err = shanzhi_domain::text::Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(SheetFormat::Csv),
            "xlsx" => Ok(SheetFormat::Xlsx),
            other => Err(shanzhi_domain::text::Bilingual::new(
                format!("导出格式只能是 csv 或 xlsx，而不是 {other:?}"),
                format!("the format is csv or xlsx, not {other:?}"),
            )),
        }
    }
}

impl Scoped<'_> {
    /// The matters in scope matching `filter` (its page size ignored), newest
    /// first. Staff only.
    pub fn matter_export(&self, filter: &MatterFilter) -> AppResult<MatterExport> {
        self.may_read_figures()?;
        let mut query = filter.query()?;
        query.scope = self.matter_scope();
        query.limit = BATCH;
        Ok(MatterExport {
            app: self.app.clone(),
            actor: self.actor.clone(),
            pages: MatterPages::new(query),
            header: true,
            rows: 0,
            names: HashMap::new(),
        })
    }
}

/// A running export: [`MatterExport::next_rows`] (or `next_csv`) until `None`.
#[derive(Debug)]
pub struct MatterExport {
    app: App,
    actor: Actor,
    pages: MatterPages,
    header: bool,
    rows: u64,
    /// Division and grid names met so far, by code.
    names: HashMap<String, String>,
}

impl MatterExport {
    /// How many matters the export will hold (counted before an XLSX, whose
    /// sheet has a limit).
    pub async fn count(&self) -> AppResult<u64> {
        Ok(self.app.store.count_matters(self.pages.query()).await?.values().sum())
    }

    /// The next batch of rows; `None` at the end.
    pub async fn next_rows(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        let Some(matters) = self.pages.next(&*self.app.store).await? else { return Ok(None) };
        self.learn_names(&matters).await?;
        let dictionary = self.app.dictionary().await?;
        let now = self.app.now_micros();
        let rows: Vec<Vec<String>> = matters.iter().map(|m| self.row(m, &dictionary, now)).collect();
        self.rows += rows.len() as u64;
        Ok(Some(rows))
    }

    /// The next piece of a CSV file (a byte-order mark and the header first,
    /// so that Excel reads it as UTF-8); `None` at the end.
    pub async fn next_csv(&mut self) -> AppResult<Option<String>> {
        let mut out = String::new();
        if self.header {
            self.header = false;
            out.push('\u{feff}');
            csv_line(&mut out, MATTER_HEADERS.iter().copied());
        }
        match self.next_rows().await? {
            Some(rows) => {
                for r in &rows {
                    csv_line(&mut out, r.iter().map(String::as_str));
                }
                Ok(Some(out))
            }
            None if out.is_empty() => Ok(None),
            None => Ok(Some(out)),
        }
    }

    /// The whole export as an XLSX file (one sheet, the header frozen) in an
    /// anonymous temporary file, rewound: nothing is left behind if the
    /// process dies. Refused before anything is read when the rows would not
    /// fit a sheet. Batches go to a writer thread as they are read.
    pub async fn xlsx_file(self) -> AppResult<(std::fs::File, u64)> {
        let file = tempfile::tempfile().map_err(|e| AppError::internal(format!("temporary file: {e}")))?;
        let (mut file, rows) = self.write_xlsx(file).await?;
        std::io::Seek::rewind(&mut file).map_err(|e| AppError::internal(e.to_string()))?;
        Ok((file, rows))
    }

    /// The whole export as XLSX into `out`, given back with the row count.
    pub async fn write_xlsx<W>(mut self, out: W) -> AppResult<(W, u64)>
    where
        W: std::io::Write + std::io::Seek + Send + 'static,
    {
        let total = self.count().await?;
        if total > MAX_SHEET_ROWS {
            return Err(AppError::BadRequest {
                code: "too_many_rows",
                message: shanzhi_domain::text::Bilingual::new(
                    format!(
                        "符合条件的事件有 {total} 件，超过 Excel 工作表的 {MAX_SHEET_ROWS} 行：请缩小范围，或导出 CSV"
                    ),
                    format!(
                        "{total} matters match, more than an Excel sheet's {MAX_SHEET_ROWS} rows: narrow the filters or export CSV"
                    ),
                ),
            });
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<String>>>(2);
        let writer = tokio::task::spawn_blocking(move || {
            write_sheet(out, "事件清单", MATTER_HEADERS.as_slice(), WIDTHS.as_slice(), rx)
        });
        let mut read = Ok(());
        loop {
            match self.next_rows().await {
                Ok(Some(rows)) => {
                    if tx.send(rows).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        drop(tx);
        let written = writer.await.map_err(|e| AppError::internal(e.to_string()))?;
        read?;
        written.map_err(|e| AppError::internal(format!("xlsx: {e}")))
    }

    /// A file name with the time of the export: 事件清单-20261130-1405.csv.
    pub fn file_name(&self, extension: &str) -> String {
        let at = self.app.now_micros().timestamp();
        let stamp = at.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y%m%d-%H%M");
        format!("事件清单-{stamp}.{extension}")
    }

    /// Rows produced so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The caller the export reads for.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    async fn learn_names(&mut self, matters: &[Matter]) -> AppResult<()> {
        let mut divisions: Vec<DivisionCode> = Vec::new();
        let mut grids: Vec<GridCode> = Vec::new();
        for m in matters {
            let p = Places::of(m);
            for d in [p.district, p.town, p.community] {
                if !self.names.contains_key(d.significant()) && !divisions.contains(&d) {
                    divisions.push(d);
                }
            }
            if !self.names.contains_key(m.grid.as_str()) && !grids.contains(&m.grid) {
                grids.push(m.grid.clone());
            }
        }
        if !divisions.is_empty() {
            for (code, name) in self.app.division_names(&divisions).await? {
                self.names.insert(code.significant().to_owned(), name);
            }
        }
        if !grids.is_empty() {
            for g in self.app.grids(&GridFilter { codes: grids, ..GridFilter::default() }).await? {
                self.names.insert(g.info.code.to_string(), g.info.name.clone());
            }
        }
        Ok(())
    }

    fn name_of(&self, code: &str) -> String {
        self.names.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }

    fn row(&self, m: &Matter, dictionary: &crate::matters::Dictionary, now: Micros) -> Vec<String> {
        let p = Places::of(m);
        let category = dictionary.category(&m.category).map_or_else(|| m.category.to_string(), |(c, _)| c.name.clone());
        let holder = match &m.status.assignee {
            Some(Assignee::Department(d)) => {
                dictionary.department_name(d.as_str()).map_or_else(|| d.to_string(), str::to_owned)
            }
            Some(Assignee::Community) => format!("{}（社区自办）", self.name_of(p.community.significant())),
            None => String::new(),
        };
        let clock = m.clock.as_ref().filter(|c| c.counting_from.is_some() || c.deadline.is_some());
        let count = |n: u32| if n == 0 { String::new() } else { n.to_string() };
        vec![
            m.number.clone(),
            m.status.state.label_zh().to_owned(),
            sheet_time(m.reported_at),
            m.channel.label_zh().to_owned(),
            m.line.label_zh().to_owned(),
            category,
            match m.severity {
                Severity::Urgent => "紧急",
                Severity::Normal => "一般",
            }
            .to_owned(),
            self.name_of(p.district.significant()),
            self.name_of(p.town.significant()),
            self.name_of(p.community.significant()),
            self.name_of(m.grid.as_str()),
            m.address.clone().unwrap_or_default(),
            m.description.clone(),
            holder,
            m.status.level.label_zh().to_owned(),
            clock.map(|c| c.stage.label_zh().to_owned()).unwrap_or_default(),
            clock.and_then(|c| c.deadline).map(|d| sheet_time(Micros::from(d))).unwrap_or_default(),
            clock.map(|c| c.warning_at(now.timestamp()).label_zh().to_owned()).unwrap_or_default(),
            m.status.rating.map(rating_zh).unwrap_or_default().to_owned(),
            count(m.status.reworks),
            count(m.status.returns),
            count(m.status.supervisions),
            sheet_time(m.updated_at),
        ]
    }
}

fn rating_zh(r: Rating) -> &'static str {
    match r {
        Rating::Satisfied => "满意",
        Rating::BasicallySatisfied => "基本满意",
        Rating::Unsatisfied => "不满意",
    }
}

/// Beijing time to the minute, as a sheet shows it.
fn sheet_time(at: Micros) -> String {
    at.timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// One CSV line. A cell that a spreadsheet would read as a formula (`=`,
/// `+`, `-`, `@` first) gets a leading apostrophe: residents write the
/// descriptions, and a report must not run code on an official's machine.
pub(crate) fn csv_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let guarded =
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

/// The writer thread: a constant-memory sheet named `name` with a bold,
/// frozen header row, rows as they come.
pub(crate) fn write_sheet<W, H>(
    mut out: W,
    name: &str,
    headers: &[H],
    widths: &[f64],
    rx: std::sync::mpsc::Receiver<Vec<Vec<String>>>,
) -> Result<(W, u64), rust_xlsxwriter::XlsxError>
where
    W: std::io::Write + std::io::Seek + Send,
    H: AsRef<str>,
{
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, *w)?;
        sheet.write_string_with_format(0, c, h.as_ref(), &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row = 0u32;
    for batch in rx {
        for cells in batch {
            row += 1;
            for (c, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string(row, c as u16, text)?;
                }
            }
        }
    }
    workbook.save_to_writer(&mut out)?;
    Ok((out, u64::from(row)))
}

/// A sheet of rows already in memory, written on a blocking thread into an
/// anonymous temporary file, rewound.
pub(crate) async fn small_xlsx(
    name: &'static str,
    headers: Vec<String>,
    widths: Vec<f64>,
    rows: Vec<Vec<String>>,
) -> AppResult<std::fs::File> {
    let file = tempfile::tempfile().map_err(|e| AppError::internal(format!("temporary file: {e}")))?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<String>>>(1);
    let writer =
        tokio::task::spawn_blocking(move || write_sheet(file, name, headers.as_slice(), widths.as_slice(), rx));
    // The channel holds the one batch: the send cannot block.
    let _ = tx.send(rows);
    drop(tx);
    let (mut file, _) = writer
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
    std::io::Seek::rewind(&mut file).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(file)
}
