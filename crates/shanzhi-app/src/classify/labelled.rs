//! Labelled texts from a file (`shanzhi classify train|eval`): CSV in UTF-8
//! or GB18030, or XLSX, a header row naming the columns; the text and label
//! columns chosen by name. A row missing either is refused with its line
//! (blank rows are skipped); the file's size is checked before it is read.

use std::path::Path;

use shanzhi_domain::text::Bilingual;

use crate::divisions::{ImportRejection, RowProblem};
use crate::table::{TableLimits, read_table};

/// Rows listed in a refusal; the rest are counted.
const LISTED: usize = 20;

fn file_problem(message: Bilingual) -> ImportRejection {
    ImportRejection { problems: vec![RowProblem { line: None, code: None, message }], more: 0 }
}

/// Read a file's bytes, refusing one larger than the limit before reading it.
pub fn read_bounded(path: &Path, limits: &TableLimits) -> Result<Vec<u8>, ImportRejection> {
    let cannot = |e: std::io::Error| {
        file_problem(Bilingual::new(
            format!("无法读取文件 {}：{e}", path.display()),
            format!("cannot read the file {}: {e}", path.display()),
        ))
    };
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > limits.max_bytes as u64 {
        return Err(file_problem(Bilingual::new(
            format!("文件过大：{size} 字节，上限 {} 字节", limits.max_bytes),
            format!("the file is too large: {size} bytes, at most {}", limits.max_bytes),
        )));
    }
    std::fs::read(path).map_err(cannot)
}

/// The (text, label) pairs of a table file.
pub fn read_labelled(
    bytes: &[u8],
    name: &str,
    text_column: &str,
    label_column: &str,
) -> Result<Vec<(String, String)>, ImportRejection> {
    let rows = read_table(bytes, name, &TableLimits::LABELLED)?;
    let Some((header, body)) = rows.split_first() else {
        return Err(file_problem(Bilingual::new("文件为空", "the file is empty")));
    };
    let find = |c: &str| header.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == c.trim());
    let (text, label) = match (find(text_column), find(label_column)) {
        (Some(t), Some(l)) => (t, l),
        (t, _) => {
            let missing = if t.is_none() { text_column } else { label_column };
            let known: Vec<&str> = header.iter().take(30).map(|h| h.trim()).collect();
            return Err(file_problem(Bilingual::new(
                format!("表头中没有“{missing}”列；已有：{}", known.join("、")),
                format!("no column '{missing}' in the header; it has: {}", known.join(", ")),
            )));
        }
    };
    let mut out = Vec::with_capacity(body.len());
    let mut problems = Vec::new();
    let mut more = 0;
    for (i, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |j: usize| row.get(j).map(|c| c.trim()).unwrap_or_default();
        let (t, l) = (cell(text), cell(label));
        if t.is_empty() || l.is_empty() {
            if problems.len() < LISTED {
                problems.push(RowProblem {
                    line: Some(i as u64 + 2),
                    code: None,
                    message: Bilingual::new(
                        format!("缺少{}", if t.is_empty() { "文本" } else { "标签" }),
                        format!("the {} is missing", if t.is_empty() { "text" } else { "label" }),
                    ),
                });
            } else {
                more += 1;
            }
            continue;
        }
        out.push((t.to_owned(), l.to_owned()));
    }
    if !problems.is_empty() {
        return Err(ImportRejection { problems, more });
    }
    if out.is_empty() {
        return Err(file_problem(Bilingual::new("文件没有数据行", "the file has no data rows")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_in_utf8_and_gb18030() {
        let csv = "编号,诉求内容,类别\n1,路灯不亮,市容\n\n2,\"拖欠工资,三个月\",劳动\n";
        let rows = read_labelled(csv.as_bytes(), "x.csv", "诉求内容", "类别").expect("utf-8");
        assert_eq!(rows, [("路灯不亮".into(), "市容".into()), ("拖欠工资,三个月".into(), "劳动".into())]);
        let (gb, _, _) = encoding_rs::GB18030.encode(csv);
        assert!(std::str::from_utf8(&gb).is_err(), "really GB18030 bytes");
        assert_eq!(read_labelled(&gb, "x.csv", "诉求内容", "类别").expect("gb18030"), rows);
    }

    #[test]
    fn a_missing_column_or_cell_is_named() {
        let e = read_labelled("a,b\n1,2\n".as_bytes(), "x.csv", "text", "b").expect_err("no column");
        assert!(e.problems[0].message.zh.contains("“text”") && e.problems[0].message.en.contains("a, b"), "{e}");
        let e = read_labelled("t,l\nx,1\n,2\ny,\n".as_bytes(), "x.csv", "t", "l").expect_err("empty cells");
        let lines: Vec<_> = e.problems.iter().map(|p| (p.line, p.message.en.clone())).collect();
        assert_eq!(lines, [(Some(3), "the text is missing".to_owned()), (Some(4), "the label is missing".to_owned())]);
        assert!(read_labelled(b"", "x.csv", "t", "l").is_err(), "empty file");
        assert!(read_labelled("t,l\n".as_bytes(), "x.csv", "t", "l").is_err(), "no rows");
        assert!(read_labelled("t,l\n\"open,1\n".as_bytes(), "x.csv", "t", "l").is_err(), "unclosed quote");
    }
}
