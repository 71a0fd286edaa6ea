//! The community fund's ledger for Excel: exactly the public disclosure
//! (`Scoped::fund`) as one XLSX sheet — Chinese headers, names instead of
//! codes, amounts as numbers in yuan, the totals under the lines.

use super::{FundView, community_code};
use crate::access::Scoped;
use crate::figures::MAX_SHEET_ROWS;
use crate::{AppError, AppResult};

/// The sheet's name.
pub const LEDGER_SHEET: &str = "资金台账";

/// The columns of the ledger sheet.
pub const LEDGER_HEADERS: [&str; 7] = ["序号", "日期", "类别", "金额（元）", "议题", "说明", "记账哈希"];

/// A yuan amount as written by `ledger::yuan` (`-1,234.50`) as a number.
fn number(yuan: &str) -> f64 {
    yuan.chars().filter(|c| *c != ',').collect::<String>().parse().unwrap_or(0.0)
}

/// A ledger's time as a Beijing day and minute.
fn minute(iso: &str) -> String {
    iso.parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned_datetime(shanzhi_domain::calendar::china()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn write_ledger<W: std::io::Write + std::io::Seek + Send>(
    name: &str,
    fund: &FundView,
    out: W,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let bold_money = Format::new().set_bold().set_num_format("#,##0.00");
    let sheet = book.add_worksheet();
    sheet.set_name(LEDGER_SHEET)?;
    for (c, (h, w)) in LEDGER_HEADERS.iter().zip([6.0, 18.0, 8.0, 14.0, 30.0, 40.0, 20.0]).enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, w)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row = 0u32;
    for l in &fund.lines {
        row += 1;
        sheet.write_number(row, 0, l.seq as f64)?;
        sheet.write_string(row, 1, minute(&l.at))?;
        sheet.write_string(row, 2, &l.kind)?;
        sheet.write_number_with_format(row, 3, number(&l.amount), &money)?;
        if let Some(title) = &l.proposal {
            sheet.write_string(row, 4, title)?;
        }
        sheet.write_string(row, 5, &l.detail)?;
        sheet.write_string(row, 6, &l.hash)?;
    }
    // The totals, labelled in the kind column, under a blank row.
    row += 1;
    let mut totals: Vec<(String, &str)> =
        fund.allocated.iter().map(|a| (format!("拨付合计·{}", a.source), a.amount.as_str())).collect();
    totals.extend([
        ("已安排".to_owned(), fund.committed.as_str()),
        ("已支付".to_owned(), fund.spent.as_str()),
        ("可用余额".to_owned(), fund.available.as_str()),
    ]);
    for (label, amount) in totals {
        row += 1;
        sheet.write_string_with_format(row, 2, label, &bold)?;
        sheet.write_number_with_format(row, 3, number(amount), &bold_money)?;
    }
    row += 2;
    sheet.write_string(row, 0, format!("{name} · 社区保障激励资金台账（与社区公开页一致）"))?;
    book.save_to_writer(out)?;
    Ok(())
}

impl Scoped<'_> {
    /// The public fund disclosure of a community as an XLSX file (rewound)
    /// and its file name (`资金台账-总府路社区.xlsx`). As public as the
    /// disclosure: whoever may read the one reads the other.
    pub async fn fund_ledger_file(&self, community: &str) -> AppResult<(std::fs::File, String)> {
        let code = community_code(community)?;
        let fund = self.fund(code.as_str()).await?;
        if fund.lines.len() as u64 + 16 > MAX_SHEET_ROWS {
            return Err(AppError::bad_request(
                "too_many_rows",
                format!("台账超过 {MAX_SHEET_ROWS} 行，无法放进一个工作表"),
                format!("the ledger has more than {MAX_SHEET_ROWS} lines: too many for one sheet"),
            ));
        }
        let name = self.community_name(&code).await?;
        let file_name = format!("{LEDGER_SHEET}-{name}.xlsx");
        let file = tokio::task::spawn_blocking(move || {
            let mut file = tempfile::tempfile().map_err(|e| AppError::internal(format!("temporary file: {e}")))?;
            write_ledger(&name, &fund, &mut file).map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
            std::io::Seek::rewind(&mut file).map_err(|e| AppError::internal(e.to_string()))?;
            Ok::<_, AppError>(file)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
        Ok((file, file_name))
    }
}
