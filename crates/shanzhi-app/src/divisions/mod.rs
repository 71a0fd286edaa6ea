//! 行政区划: import and read the division tree.

mod builtin;
mod import;

use std::collections::{BTreeMap, HashMap};

use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel};

use crate::{App, AppError, AppResult};

pub use import::{ImportRejection, ImportReport, RowProblem, parse_division_csv};

/// One node with its parent chain (root first), its children and the number
/// of divisions under it per level.
#[derive(Debug, Clone)]
pub struct DivisionView {
    pub division: Division,
    pub ancestors: Vec<Division>,
    pub children: Vec<Division>,
    pub descendant_counts: BTreeMap<DivisionLevel, u64>,
}

impl App {
    pub async fn division_view(&self, system: CodeSystem, code: &DivisionCode) -> AppResult<DivisionView> {
        let division = self.store.division(system, code).await?.ok_or_else(|| not_found(system, code))?;
        let ancestors = self.store.divisions(system, &code.ancestors()).await?;
        let children = self.store.child_divisions(system, Some(code)).await?;
        let descendant_counts = self.store.count_divisions(system, Some(code)).await?;
        Ok(DivisionView { division, ancestors, children, descendant_counts })
    }

    /// Children of `parent` (which must exist), or the roots.
    pub async fn child_divisions(&self, system: CodeSystem, parent: Option<&DivisionCode>) -> AppResult<Vec<Division>> {
        if let Some(code) = parent
            && self.store.division(system, code).await?.is_none()
        {
            return Err(not_found(system, code));
        }
        Ok(self.store.child_divisions(system, parent).await?)
    }

    /// The names of these divisions (NBS 2023 codes), by code; unknown codes
    /// are left out.
    pub(crate) async fn division_names(&self, codes: &[DivisionCode]) -> AppResult<HashMap<DivisionCode, String>> {
        let divisions = self.store.divisions(CodeSystem::Nbs2023, codes).await?;
        Ok(divisions.into_iter().map(|d| (d.code, d.name.as_str().to_owned())).collect())
    }

    /// Divisions per level in a whole code system.
    pub async fn division_totals(&self, system: CodeSystem) -> AppResult<BTreeMap<DivisionLevel, u64>> {
        Ok(self.store.count_divisions(system, None).await?)
    }
}

fn not_found(system: CodeSystem, code: &DivisionCode) -> AppError {
    AppError::not_found(
        "division_not_found",
        format!("未找到区划 {code}（{system}）"),
        format!("division {code} ({system}) not found"),
    )
}
