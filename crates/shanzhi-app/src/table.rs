//! Tables from files: an XLSX workbook's first sheet or a CSV file (UTF-8, or
//! GB18030 as Chinese Excel writes it) as rows of text. Every bound is checked
//! before anything large is allocated: the file's size, each compressed
//! part's real unpacked size (measured by unpacking into nothing, so a part
//! that lies about its size is caught), rows, columns and cell lengths. A
//! sheet is read cell by cell; a far-away cell (`XFD1048576`) is refused by
//! its position, never reserved as a grid.

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Reader, Xlsx};
use shanzhi_domain::text::Bilingual;

use crate::divisions::{ImportRejection, RowProblem};

/// The bounds of one kind of table file.
#[derive(Debug, Clone, Copy)]
pub struct TableLimits {
    /// The file as uploaded.
    pub max_bytes: usize,
    /// Rows after the header.
    pub max_rows: usize,
    pub max_columns: usize,
    /// Characters in one cell.
    pub max_cell_chars: usize,
    /// Parts of an XLSX file (a workbook has a dozen).
    pub max_zip_entries: usize,
    /// Unpacked bytes of one part, and of all parts together.
    pub max_unzipped_entry: u64,
    pub max_unzipped_total: u64,
}

impl TableLimits {
    /// 12345 exports: a day's orders of a large city fit many times over.
    pub const HOTLINE: TableLimits = TableLimits {
        max_bytes: 20 * 1024 * 1024,
        max_rows: 50_000,
        max_columns: 64,
        max_cell_chars: 8_000,
        max_zip_entries: 200,
        max_unzipped_entry: 128 * 1024 * 1024,
        max_unzipped_total: 192 * 1024 * 1024,
    };

    /// Labelled texts for `shanzhi classify`: a few years of a city's orders.
    pub const LABELLED: TableLimits = TableLimits {
        max_bytes: 128 * 1024 * 1024,
        max_rows: 300_000,
        max_columns: 256,
        max_cell_chars: 20_000,
        max_zip_entries: 200,
        max_unzipped_entry: 256 * 1024 * 1024,
        max_unzipped_total: 384 * 1024 * 1024,
    };
}

fn problem(zh: String, en: String) -> ImportRejection {
    ImportRejection { problems: vec![RowProblem { line: None, code: None, message: Bilingual::new(zh, en) }], more: 0 }
}

/// Refuse a table whose header (line 1) lacks any of `required`.
pub fn require_columns(header: &[String], required: &[&str]) -> Result<(), ImportRejection> {
    let missing: Vec<&str> = required.iter().copied().filter(|c| !header.iter().any(|h| h.trim() == *c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ImportRejection {
        problems: vec![RowProblem {
            line: Some(1),
            code: None,
            message: Bilingual::new(
                format!("缺少列：{}", missing.join("、")),
                format!("missing columns: {}", missing.join(", ")),
            ),
        }],
        more: 0,
    })
}

/// A1-style name of a cell (0-based row and column).
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let rem = ((c - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row as u64 + 1).to_string()
}

/// The rows of a file, the header first (empty cells are empty strings).
pub fn read_table(bytes: &[u8], name: &str, limits: &TableLimits) -> Result<Vec<Vec<String>>, ImportRejection> {
    if bytes.len() > limits.max_bytes {
        return Err(problem(
            format!("文件过大：{} 字节，上限 {} 字节", bytes.len(), limits.max_bytes),
            format!("the file is too large: {} bytes, at most {}", bytes.len(), limits.max_bytes),
        ));
    }
    if name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, limits)
    } else {
        read_csv(bytes, limits)
    }
}

/// Unpack every part into nothing, counting: the sizes a zip file declares
/// may lie, the bytes that come out cannot.
fn check_zip(bytes: &[u8], limits: &TableLimits) -> Result<(), ImportRejection> {
    let unreadable =
        |e: &dyn std::fmt::Display| problem(format!("无法读取 XLSX：{e}"), format!("cannot read the XLSX file: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if archive.len() > limits.max_zip_entries {
        return Err(problem(
            format!("XLSX 文件的部件过多（{} 个）", archive.len()),
            format!("the XLSX file has too many parts ({})", archive.len()),
        ));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| unreadable(&e))?;
        let mut limited = entry.take(limits.max_unzipped_entry + 1);
        let n = std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        total += n;
        if n > limits.max_unzipped_entry || total > limits.max_unzipped_total {
            return Err(problem(
                format!(
                    "XLSX 解压后过大（单个部件上限 {} MiB，合计上限 {} MiB）",
                    limits.max_unzipped_entry >> 20,
                    limits.max_unzipped_total >> 20
                ),
                format!(
                    "the XLSX file unpacks too large (at most {} MiB a part, {} MiB in all)",
                    limits.max_unzipped_entry >> 20,
                    limits.max_unzipped_total >> 20
                ),
            ));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: &TableLimits) -> Result<Vec<Vec<String>>, ImportRejection> {
    check_zip(bytes, limits)?;
    let unreadable =
        |e: &dyn std::fmt::Display| problem(format!("无法读取 XLSX：{e}"), format!("cannot read the XLSX file: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| problem("XLSX 没有工作表".into(), "the XLSX file has no sheet".into()))?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(|e| unreadable(&e))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if row as usize > limits.max_rows || col as usize >= limits.max_columns {
            return Err(problem(
                format!(
                    "单元格 {} 超出范围：最多 {} 行数据、{} 列",
                    cell_name(row, col),
                    limits.max_rows,
                    limits.max_columns
                ),
                format!(
                    "cell {} is out of bounds: at most {} data rows and {} columns",
                    cell_name(row, col),
                    limits.max_rows,
                    limits.max_columns
                ),
            ));
        }
        if text.chars().count() > limits.max_cell_chars {
            return Err(problem(
                format!("单元格 {} 过长：上限 {} 个字符", cell_name(row, col), limits.max_cell_chars),
                format!("cell {} is too long: at most {} characters", cell_name(row, col), limits.max_cell_chars),
            ));
        }
        let (r, c) = (row as usize, col as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize_with(c + 1, String::new);
        }
        rows[r][c] = text;
    }
    Ok(rows)
}

fn cell_text(d: &DataRef<'_>) -> String {
    let owned: Data = d.clone().into();
    match &owned {
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

/// UTF-8 (with or without a byte-order mark), else GB18030.
pub fn decode_text(bytes: &[u8]) -> Result<String, ImportRejection> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(problem("文件含有二进制内容，不是文本".into(), "the file holds binary data, not text".into()));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(problem(
            "文件既不是 UTF-8 也不是 GB18030 编码".into(),
            "the file is neither UTF-8 nor GB18030 text".into(),
        ));
    }
    Ok(text.into_owned())
}

fn read_csv(bytes: &[u8], limits: &TableLimits) -> Result<Vec<Vec<String>>, ImportRejection> {
    let text = decode_text(bytes)?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let line = i + 1;
        let r = r.map_err(|e| problem(format!("无法读取 CSV：{e}"), format!("unreadable CSV: {e}")))?;
        if line > limits.max_rows + 1 {
            return Err(problem(
                format!("行数过多：最多 {} 行数据", limits.max_rows),
                format!("too many rows: at most {} data rows", limits.max_rows),
            ));
        }
        if r.len() > limits.max_columns {
            return Err(problem(
                format!("第 {line} 行列数过多：最多 {} 列", limits.max_columns),
                format!("line {line} has too many columns: at most {}", limits.max_columns),
            ));
        }
        if let Some(c) = r.iter().position(|c| c.chars().count() > limits.max_cell_chars) {
            return Err(problem(
                format!("第 {line} 行第 {} 列过长：上限 {} 个字符", c + 1, limits.max_cell_chars),
                format!("line {line}, column {} is too long: at most {} characters", c + 1, limits.max_cell_chars),
            ));
        }
        rows.push(r.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn xlsx(sheet: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        let parts = [
            ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
            ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
            ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
            ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#)),
        ];
        for (name, body) in parts {
            zip.start_file(name, opts).expect("entry");
            zip.write_all(body.as_bytes()).expect("write");
        }
        zip.finish().expect("zip");
        buf.into_inner()
    }

    fn inline(cell: &str, text: &str) -> String {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn a_sheet_is_read_cell_by_cell_and_a_far_cell_is_refused_by_its_position() {
        let good = xlsx(&format!(
            r#"<row r="1">{}{}</row><row r="3">{}</row>"#,
            inline("A1", "a"),
            inline("C1", "c"),
            inline("B3", "b")
        ));
        let rows = read_table(&good, "x.xlsx", &TableLimits::HOTLINE).expect("read");
        assert_eq!(rows, [vec!["a", "", "c"], vec![], vec!["", "b"]]);
        let far = xlsx(&format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            inline("A1", "a"),
            inline("XFD1048576", "z")
        ));
        let refused = read_table(&far, "x.xlsx", &TableLimits::HOTLINE).expect_err("far cell");
        assert!(refused.problems[0].message.zh.contains("XFD1048576"), "{:?}", refused.problems);
        let wide = xlsx(&format!(r#"<row r="2">{}</row>"#, inline("BZ2", "w")));
        assert!(read_table(&wide, "x.xlsx", &TableLimits::HOTLINE).is_err(), "column 78 of 64");
    }

    #[test]
    fn a_part_that_unpacks_too_large_is_refused_before_the_sheet_is_parsed() {
        let limits = TableLimits { max_unzipped_entry: 4096, max_unzipped_total: 8192, ..TableLimits::HOTLINE };
        let big = xlsx(&format!(r#"<row r="1">{}</row>"#, inline("A1", &"x".repeat(10_000))));
        assert!(big.len() < 4096, "deflate packs it small: {}", big.len());
        let refused = read_table(&big, "x.xlsx", &limits).expect_err("bomb");
        assert!(refused.problems[0].message.en.contains("unpacks too large"), "{:?}", refused.problems);
        assert!(read_table(b"PK\x03\x04 not a zip", "x.xlsx", &limits).is_err());
    }

    #[test]
    fn csv_is_utf8_or_gb18030_and_bounded() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("工单编号,诉求内容\nCD1,路灯不亮\n");
        let rows = read_table(&gbk, "x.csv", &TableLimits::HOTLINE).expect("gb18030");
        assert_eq!(rows[1], ["CD1", "路灯不亮"]);
        let rows = read_table("\u{feff}a,b\n1,2\n".as_bytes(), "x.csv", &TableLimits::HOTLINE).expect("bom");
        assert_eq!(rows[0], ["a", "b"]);
        let small = TableLimits { max_rows: 2, max_columns: 3, max_cell_chars: 5, ..TableLimits::HOTLINE };
        assert!(read_table(b"h\n1\n2\n3\n", "x.csv", &small).is_err(), "rows");
        assert!(read_table(b"a,b,c,d\n", "x.csv", &small).is_err(), "columns");
        assert!(read_table(b"abcdef\n", "x.csv", &small).is_err(), "cell length");
        assert!(read_table(b"\x81\x20ab", "x.csv", &small).is_err(), "neither UTF-8 nor GB18030");
        assert!(read_table(b"a\0b", "x.csv", &small).is_err(), "binary");
        let huge = TableLimits { max_bytes: 4, ..small };
        assert!(read_table(b"12345", "x.csv", &huge).is_err(), "bytes");
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }
}
