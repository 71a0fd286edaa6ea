//! The monthly report a 社治委 hands to its leaders: the dashboard's figures,
//! every district and department, the definitions used and the transparency
//! log's latest checkpoint (so that any figure can be checked against a
//! record nobody could rewrite). As a printable page and as XLSX.

use shanzhi_domain::indicators::{Definition, Figure, Key, Measure, Period, UnitKind};

use super::{Dashboard, FigureQuery, IndicatorAnswer, definitions};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// The sheets of the XLSX report, in order.
pub const REPORT_SHEETS: [&str; 4] = ["概览", "各单位指标", "超期", "分类"];

/// One period's report.
#[derive(Debug, Clone)]
pub struct MonthlyReport {
    pub dashboard: Dashboard,
    pub districts: IndicatorAnswer,
    pub departments: IndicatorAnswer,
    pub definitions: Vec<Definition>,
    /// The latest signed checkpoint of the transparency log (a C2SP signed note).
    pub checkpoint: Option<String>,
}

impl Scoped<'_> {
    /// The report of `period` within the caller's scope.
    pub async fn monthly_report(&self, period: Period) -> AppResult<MonthlyReport> {
        let q = |by| FigureQuery { period, by, within: None, line: None };
        // One read of the timelines for every part.
        let read = self.read_figures(&q(UnitKind::District)).await?;
        let dashboard = self.dashboard_of(&q(UnitKind::District), &read).await?;
        let districts = self.indicators_of(&q(UnitKind::District), &read).await?;
        let departments = self.indicators_of(&q(UnitKind::Department), &read).await?;
        let checkpoint = self.app.latest_checkpoint().await?.map(|c| c.to_text());
        Ok(MonthlyReport { dashboard, districts, departments, definitions: definitions(), checkpoint })
    }
}

/// A figure as a sheet or a page shows it: a count, or a percentage.
pub fn shown(key: Key, f: Option<&Figure>) -> String {
    let Some(f) = f else { return "—".to_owned() };
    match key.definition().measure {
        Measure::Count => trim(f.numerator),
        Measure::Rate => f.value.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0)),
    }
}

/// A number without a needless fraction (k-weighted sums have one).
pub fn trim(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.1}") }
}

impl MonthlyReport {
    /// `报告-2026-11.xlsx`.
    pub fn file_name(&self) -> String {
        format!("月度报告-{}.xlsx", self.dashboard.period)
    }

    /// The report as an XLSX file (anonymous, rewound).
    pub async fn xlsx_file(self) -> AppResult<std::fs::File> {
        tokio::task::spawn_blocking(move || {
            let mut file = tempfile::tempfile().map_err(|e| AppError::internal(format!("temporary file: {e}")))?;
            self.write_xlsx(&mut file).map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
            std::io::Seek::rewind(&mut file).map_err(|e| AppError::internal(e.to_string()))?;
            Ok(file)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
    }

    fn write_xlsx<W: std::io::Write + std::io::Seek + Send>(&self, out: W) -> Result<(), rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let d = &self.dashboard;
        let header =
            |sheet: &mut rust_xlsxwriter::Worksheet, cells: &[&str]| -> Result<(), rust_xlsxwriter::XlsxError> {
                for (c, h) in cells.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, *h, &bold)?;
                    sheet.set_column_width(c as u16, if c == 0 { 24.0 } else { 12.0 })?;
                }
                sheet.set_freeze_panes(1, 0)?;
                Ok(())
            };

        // 概览: every figure, all matters and by line; then the facts of the report.
        let sheet = book.add_worksheet();
        sheet.set_name(REPORT_SHEETS[0])?;
        header(sheet, &["指标", "全部", "分子", "分母", "社治（高线）", "综治（底线）"])?;
        let mut row = 0u32;
        for key in Key::ALL {
            row += 1;
            let f = d.totals.get(key);
            sheet.write_string(row, 0, key.definition().name_zh)?;
            sheet.write_string(row, 1, shown(*key, f))?;
            sheet.write_number(row, 2, f.map_or(0.0, |f| f.numerator))?;
            sheet.write_number(row, 3, f.map_or(0.0, |f| f.denominator))?;
            sheet.write_string(row, 4, shown(*key, d.development.get(key)))?;
            sheet.write_string(row, 5, shown(*key, d.safety.get(key)))?;
        }
        row += 2;
        for (label, value) in [
            ("时段", d.period.clone()),
            ("统计截至", d.as_of.clone()),
            ("基本满意权重 k", trim(d.k)),
            ("透明日志检查点", self.checkpoint.clone().unwrap_or_else(|| "尚未签发".to_owned())),
        ] {
            sheet.write_string_with_format(row, 0, label, &bold)?;
            sheet.write_string(row, 1, value)?;
            row += 1;
        }

        // 各单位指标: districts, then departments; each figure as value, numerator, denominator.
        let sheet = book.add_worksheet();
        sheet.set_name(REPORT_SHEETS[1])?;
        let mut cells = vec!["单位类型".to_owned(), "单位".to_owned(), "代码".to_owned()];
        for key in Key::ALL {
            let name = key.definition().name_zh;
            match key.definition().measure {
                Measure::Count => cells.push(name.to_owned()),
                Measure::Rate => cells.extend([name.to_owned(), format!("{name}分子"), format!("{name}分母")]),
            }
        }
        header(sheet, &cells.iter().map(String::as_str).collect::<Vec<_>>())?;
        let mut row = 0u32;
        for answer in [&self.districts, &self.departments] {
            for unit in &answer.units {
                row += 1;
                sheet.write_string(row, 0, answer.by.label_zh())?;
                sheet.write_string(row, 1, &unit.name)?;
                sheet.write_string(row, 2, &unit.code)?;
                let mut c = 3u16;
                for key in Key::ALL {
                    let f = unit.figures.get(key);
                    match key.definition().measure {
                        Measure::Count => {
                            sheet.write_number(row, c, f.map_or(0.0, |f| f.numerator))?;
                            c += 1;
                        }
                        Measure::Rate => {
                            if let Some(v) = f.and_then(|f| f.value) {
                                sheet.write_number(row, c, v)?;
                            }
                            sheet.write_number(row, c + 1, f.map_or(0.0, |f| f.numerator))?;
                            sheet.write_number(row, c + 2, f.map_or(0.0, |f| f.denominator))?;
                            c += 3;
                        }
                    }
                }
            }
        }

        // 超期: runs decided in the period, by stage.
        let sheet = book.add_worksheet();
        sheet.set_name(REPORT_SHEETS[2])?;
        header(sheet, &["环节", "按期", "超期", "合计"])?;
        for (i, s) in d.stages.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, s.name)?;
            if let Some(met) = s.met {
                sheet.write_number(row, 1, met)?;
                sheet.write_number(row, 3, met + s.missed)?;
            }
            sheet.write_number(row, 2, s.missed)?;
        }

        // 分类: the most reported categories.
        let sheet = book.add_worksheet();
        sheet.set_name(REPORT_SHEETS[3])?;
        header(sheet, &["事项分类", "上报数", "超期数"])?;
        for (i, c) in d.categories.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, &c.name)?;
            sheet.write_number(row, 1, c.reported)?;
            sheet.write_number(row, 2, c.overdue)?;
        }
        book.save_to_writer(out)
    }
}
