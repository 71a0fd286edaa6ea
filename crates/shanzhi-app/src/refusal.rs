//! How a refused import file is told, whatever its kind: one summary
//! sentence, then a line per problem (where, the code concerned, what is
//! wrong), so that the CLI and the API word every refusal alike.

use std::fmt;

use shanzhi_domain::text::Bilingual;

/// "The file has n problems and was refused whole", naming the file as
/// `file_zh` / `file_en`.
pub(crate) fn summary(file_zh: &str, file_en: &str, n: usize) -> Bilingual {
    Bilingual::new(
        format!("{file_zh}有 {n} 处错误，已整体拒绝，未写入任何数据"),
        format!("{file_en} has {n} problem(s) and was rejected whole; nothing was written"),
    )
}

/// One problem: where (already in both languages), the code concerned if
/// any, and what is wrong.
pub(crate) struct ProblemLine<'a> {
    pub place: String,
    pub code: Option<&'a str>,
    pub message: &'a Bilingual,
}

/// The summary, the problems, and how many more were found than listed.
pub(crate) fn write<'a>(
    f: &mut fmt::Formatter<'_>,
    summary: &Bilingual,
    problems: impl IntoIterator<Item = ProblemLine<'a>>,
    more: usize,
) -> fmt::Result {
    writeln!(f, "{summary}")?;
    for p in problems {
        write!(f, "  {}", p.place)?;
        if let Some(code) = p.code {
            write!(f, " [{code}]")?;
        }
        writeln!(f, ": {}", p.message)?;
    }
    if more > 0 {
        writeln!(f, "  …… 另有 {more} 处错误 (and {more} more)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use shanzhi_domain::text::Bilingual;
    use shanzhi_geo::features::FeatureProblem;

    use crate::divisions::{ImportRejection, RowProblem};
    use crate::grids::GridImportRejection;

    // The CLI prints these texts: they are pinned to the letter.
    #[test]
    fn refusals_read_to_the_letter() {
        let divisions = ImportRejection {
            problems: vec![
                RowProblem {
                    line: Some(3),
                    code: Some("510104".into()),
                    message: Bilingual::new("编码重复", "duplicate"),
                },
                RowProblem { line: None, code: None, message: Bilingual::new("文件为空", "empty") },
            ],
            more: 2,
        };
        assert_eq!(
            divisions.to_string(),
            "文件有 4 处错误，已整体拒绝，未写入任何数据 (the file has 4 problem(s) and was rejected whole; nothing was written)\n  \
             第 3 行 (line 3) [510104]: 编码重复 (duplicate)\n  \
             文件 (file): 文件为空 (empty)\n  \
             …… 另有 2 处错误 (and 2 more)\n"
        );
        let grids = GridImportRejection {
            problems: vec![
                FeatureProblem {
                    number: 0, code: None, message: Bilingual::new("不是要素集合", "not a collection")
                },
                FeatureProblem {
                    number: 2, code: Some("g1".into()), message: Bilingual::new("编码重复", "duplicate")
                },
            ],
        };
        assert_eq!(
            grids.to_string(),
            "网格文件有 2 处错误，已整体拒绝，未写入任何数据 (the grid file has 2 problem(s) and was rejected whole; nothing was written)\n  \
             文件 (file): 不是要素集合 (not a collection)\n  \
             第 2 个要素 (feature 2) [g1]: 编码重复 (duplicate)\n"
        );
    }
}
