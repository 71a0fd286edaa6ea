//! `shanzhi import divisions FILE.csv`: the format of the NBS list
//! (`level,code,name,parent_code`). The whole file is checked before anything
//! is written; a file with any bad row is refused whole, naming every bad row.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Read;

use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel, DivisionName};
use shanzhi_store::UpsertCounts;

use super::builtin;
use crate::access::Operator;
use crate::refusal::{self, ProblemLine};
use crate::{AppError, AppResult};

const COLUMNS: [&str; 4] = ["level", "code", "name", "parent_code"];
/// Enough to fix a file without drowning the reader.
const MAX_PROBLEMS: usize = 200;
/// Bounds of a division list: the whole country (≈700,000 rows) fits.
pub const MAX_FILE_BYTES: usize = 128 * 1024 * 1024;
pub const MAX_ROWS: usize = 2_000_000;
pub const MAX_FIELD_CHARS: usize = 200;

/// One problem, at a line of the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: Option<u64>,
    pub code: Option<String>,
    pub message: Bilingual,
}

/// Why a file was refused; nothing of it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRejection {
    pub problems: Vec<RowProblem>,
    /// Problems found beyond the ones listed.
    pub more: usize,
}

impl ImportRejection {
    fn file(message: Bilingual) -> Self {
        ImportRejection { problems: vec![RowProblem { line: None, code: None, message }], more: 0 }
    }

    pub fn summary(&self) -> Bilingual {
        refusal::summary("文件", "the file", self.problems.len() + self.more)
    }
}

impl fmt::Display for ImportRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problems = self.problems.iter().map(|p| ProblemLine {
            place: match p.line {
                Some(line) => format!("第 {line} 行 (line {line})"),
                None => "文件 (file)".to_owned(),
            },
            code: p.code.as_deref(),
            message: &p.message,
        });
        refusal::write(f, &self.summary(), problems, self.more)
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub code_system: CodeSystem,
    pub rows: usize,
    pub by_level: BTreeMap<DivisionLevel, usize>,
    /// Provinces and cities taken from the built-in table because the file
    /// referred to them and the store did not have them yet.
    pub ancestors_added: Vec<Division>,
    pub written: UpsertCounts,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let levels: Vec<_> = self.by_level.iter().map(|(l, n)| format!("{}{n}", l.label_zh())).collect();
        write!(
            f,
            "导入 {} 行（{}），代码体系 {}：新增 {}，更新 {}，未变 {}",
            self.rows,
            levels.join("，"),
            self.code_system,
            self.written.inserted,
            self.written.updated,
            self.written.unchanged
        )?;
        if !self.ancestors_added.is_empty() {
            let names: Vec<_> = self.ancestors_added.iter().map(|d| d.name.as_str()).collect();
            write!(f, "；补充上级区划 {}", names.join("、"))?;
        }
        write!(
            f,
            "\nimported {} rows ({}): {} new, {} updated, {} unchanged",
            self.rows, self.code_system, self.written.inserted, self.written.updated, self.written.unchanged
        )
    }
}

struct Row {
    line: u64,
    division: Division,
    parent: Option<DivisionCode>,
}

#[derive(Default)]
struct Problems {
    list: Vec<RowProblem>,
    more: usize,
}

impl Problems {
    fn push(&mut self, line: u64, code: &str, message: Bilingual) {
        if self.list.len() < MAX_PROBLEMS {
            let code = (!code.is_empty()).then(|| code.to_owned());
            self.list.push(RowProblem { line: Some(line), code, message });
        } else {
            self.more += 1;
        }
    }

    fn into_result(self) -> Result<(), ImportRejection> {
        if self.list.is_empty() { Ok(()) } else { Err(ImportRejection { problems: self.list, more: self.more }) }
    }
}

/// Parse and check a whole file, without the store: codes, levels, names,
/// parents derivable from codes, duplicates.
fn parse(input: impl Read, system: CodeSystem) -> Result<Vec<Row>, ImportRejection> {
    let mut bytes = Vec::new();
    input.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| {
        ImportRejection::file(Bilingual::new(format!("无法读取文件：{e}"), format!("cannot read the file: {e}")))
    })?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportRejection::file(Bilingual::new(
            format!("文件过大：上限 {} MiB", MAX_FILE_BYTES >> 20),
            format!("the file is too large: at most {} MiB", MAX_FILE_BYTES >> 20),
        )));
    }
    let mut lines = LineCounter::new(&bytes);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| ImportRejection::file(csv_message(&e)))?.clone();
    let index = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name);
    let Some(cols) = COLUMNS.iter().map(|c| index(c)).collect::<Option<Vec<_>>>() else {
        return Err(ImportRejection::file(Bilingual::new(
            format!("表头应包含 {} 四列", COLUMNS.join(",")),
            format!("the header must have the columns {}", COLUMNS.join(",")),
        )));
    };
    let mut rows = Vec::new();
    let mut problems = Problems::default();
    let mut seen: HashMap<DivisionCode, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                problems.push(line, "", csv_message(&e));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if rows.len() >= MAX_ROWS {
            return Err(ImportRejection::file(Bilingual::new(
                format!("行数过多：最多 {MAX_ROWS} 行"),
                format!("too many rows: at most {MAX_ROWS}"),
            )));
        }
        if record.len() > 16 || record.iter().any(|f| f.chars().count() > MAX_FIELD_CHARS) {
            problems.push(
                line,
                "",
                Bilingual::new(
                    format!("列数过多或某列超过 {MAX_FIELD_CHARS} 个字符"),
                    format!("too many columns, or a field longer than {MAX_FIELD_CHARS} characters"),
                ),
            );
            continue;
        }
        let field = |i: usize| record.get(cols[i]).unwrap_or("");
        let (level_text, code_text, name_text, parent_text) = (field(0), field(1), field(2), field(3));
        match check_row(system, level_text, code_text, name_text, parent_text) {
            Ok(row) => {
                if let Some(first) = seen.insert(row.code.clone(), line) {
                    problems.push(
                        line,
                        code_text,
                        Bilingual::new(
                            format!("代码重复，第 {first} 行已有此代码"),
                            format!("duplicate code, already on line {first}"),
                        ),
                    );
                } else {
                    let parent = row.parent();
                    rows.push(Row { line, division: row, parent });
                }
            }
            Err(message) => problems.push(line, code_text, message),
        }
    }
    if rows.is_empty() && problems.list.is_empty() {
        return Err(ImportRejection::file(Bilingual::new("文件没有数据行", "the file has no data rows")));
    }
    problems.into_result().map(|()| rows)
}

/// Line numbers from byte offsets: the csv crate counts the LF of a CRLF as
/// the start of the next record, so its line numbers drift by one in files with
/// CRLF endings (as the NBS list has), and users need the true line.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, offset: 0, line: 1 }
    }

    /// The 1-based line of `byte`; offsets must not decrease between calls.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(self.bytes.len());
        // After a CRLF the reader reports the record as starting on the LF.
        if end > 0 && self.bytes.get(end) == Some(&b'\n') && self.bytes[end - 1] == b'\r' {
            end += 1;
        }
        let end = end.max(self.offset);
        self.line += self.bytes[self.offset..end].iter().filter(|b| **b == b'\n').count() as u64;
        self.offset = end;
        self.line
    }
}

fn check_row(system: CodeSystem, level: &str, code: &str, name: &str, parent: &str) -> Result<Division, Bilingual> {
    let parsed = DivisionCode::parse(code).map_err(|e| e.message(code))?;
    let level: DivisionLevel = level.parse()?;
    if level != parsed.level() {
        return Err(Bilingual::new(
            format!("层级错误：代码 {code} 是{}级，而该行写的是“{}”", parsed.level().label_zh(), level.label_zh()),
            format!("wrong level: code {code} is a {} but the row says {level}", parsed.level()),
        ));
    }
    let name = DivisionName::parse(name)?;
    let expected = parsed.parent();
    let given =
        if parent.is_empty() { None } else { Some(DivisionCode::parse(parent).map_err(|e| e.message(parent))?) };
    if given != expected {
        let show =
            |c: &Option<DivisionCode>| c.as_ref().map_or_else(|| "（无）".to_owned(), |c| c.significant().to_owned());
        return Err(Bilingual::new(
            format!("上级代码 {} 与代码不符，应为 {}", show(&given), show(&expected)),
            format!("parent code {} does not match the code; expected {}", show(&given), show(&expected)),
        ));
    }
    Ok(Division { code_system: system, code: parsed, name })
}

fn csv_message(e: &csv::Error) -> Bilingual {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Bilingual::new("不是 UTF-8 编码的文本", "not UTF-8 text"),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => Bilingual::new(
            format!("列数不符：应为 {expected_len} 列，实际 {len} 列"),
            format!("wrong number of fields: expected {expected_len}, got {len}"),
        ),
        _ => Bilingual::new(format!("无法读取 CSV：{e}"), format!("unreadable CSV: {e}")),
    }
}

/// Parse and check a division CSV without the store (for the grid
/// generator, which reads the shipped NBS list).
pub fn parse_division_csv(input: impl Read, system: CodeSystem) -> Result<Vec<Division>, ImportRejection> {
    parse(input, system).map(|rows| rows.into_iter().map(|r| r.division).collect())
}

impl Operator<'_> {
    /// Import a division CSV into `system`. Re-importing the same file changes
    /// nothing; a file with any bad row writes nothing.
    pub async fn import_divisions(&self, input: impl Read, system: CodeSystem) -> AppResult<ImportReport> {
        let rows = parse(input, system).map_err(AppError::ImportRejected)?;
        let ancestors_added = self.resolve_parents(system, &rows).await.map_err(AppError::ImportRejected)?;
        let mut by_level = BTreeMap::new();
        for r in &rows {
            *by_level.entry(r.division.level()).or_insert(0) += 1;
        }
        let batch: Vec<Division> =
            ancestors_added.iter().cloned().chain(rows.iter().map(|r| r.division.clone())).collect();
        let written = self.store.upsert_divisions(&batch).await?;
        tracing::info!(%system, rows = rows.len(), ?written, "divisions imported");
        Ok(ImportReport { code_system: system, rows: rows.len(), by_level, ancestors_added, written })
    }

    /// Every parent must be in the file, in the store, or a province/city of
    /// the built-in table (returned, to be written with the file).
    async fn resolve_parents(&self, system: CodeSystem, rows: &[Row]) -> Result<Vec<Division>, ImportRejection> {
        let in_file: HashSet<&DivisionCode> = rows.iter().map(|r| &r.division.code).collect();
        // Parents outside the file, and their ancestors: one lookup for all.
        let lookup: Vec<DivisionCode> = rows
            .iter()
            .filter_map(|r| r.parent.as_ref())
            .filter(|p| !in_file.contains(p))
            .flat_map(|p| p.ancestors().into_iter().chain([p.clone()]))
            .filter(|c| !in_file.contains(c))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let stored = self.store.divisions(system, &lookup).await.map_err(|e| {
            ImportRejection::file(Bilingual::new(
                format!("读取已有区划失败：{e}"),
                format!("cannot read stored divisions: {e}"),
            ))
        })?;
        let mut known: HashSet<DivisionCode> = stored.into_iter().map(|d| d.code).collect();
        let mut added: Vec<Division> = Vec::new();
        let mut problems = Problems::default();
        for row in rows {
            let Some(parent) = &row.parent else { continue };
            if in_file.contains(parent) || known.contains(parent) {
                continue;
            }
            match builtin_chain(system, parent, &known) {
                Some(chain) => {
                    known.extend(chain.iter().map(|d| d.code.clone()));
                    added.extend(chain);
                }
                None => problems.push(
                    row.line,
                    row.division.code.significant(),
                    Bilingual::new(
                        format!("上级区划 {} 不存在（文件、数据库和内置省市表中都没有）", parent.significant()),
                        format!(
                            "unknown parent {}: not in the file, the store or the built-in province/city table",
                            parent.significant()
                        ),
                    ),
                ),
            }
        }
        problems.into_result().map(|()| added)
    }
}

/// `code` and its built-in ancestors not yet `known`, root first; `None` if
/// any of them is missing from the table.
fn builtin_chain(system: CodeSystem, code: &DivisionCode, known: &HashSet<DivisionCode>) -> Option<Vec<Division>> {
    let mut chain = Vec::new();
    for c in code.ancestors().into_iter().chain([code.clone()]) {
        if known.contains(&c) {
            continue;
        }
        let name = builtin::name_of(&c)?.clone();
        chain.push(Division { code_system: system, code: c, name });
    }
    Some(chain)
}
