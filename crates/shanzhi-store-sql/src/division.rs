use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use shanzhi_domain::division::COMMITTEE_SUFFIXES;
use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionLevel};
use shanzhi_store::{DivisionStore, StoreResult, UpsertCounts};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::{push_between, push_list, push_name_or_code};
use crate::{SqlStore, convert, map_err};

const COLUMNS: &str = "SELECT code_system, code, name FROM divisions ";

#[derive(SqlRow)]
struct DivisionRow {
    code_system: String,
    code: String,
    name: String,
}

impl TryFrom<DivisionRow> for Division {
    type Error = shanzhi_store::StoreError;
    fn try_from(r: DivisionRow) -> StoreResult<Division> {
        convert::division(&r.code_system, &r.code, &r.name)
    }
}

#[derive(SqlRow)]
struct LevelCount {
    level: String,
    n: i64,
}

#[sql_bounds]
#[async_trait]
impl<DB> DivisionStore for SqlStore<DB> {
    async fn upsert_divisions(&self, divisions: &[Division]) -> StoreResult<UpsertCounts> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut stored: HashMap<(CodeSystem, String), String> = HashMap::new();
        for chunk in divisions.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(format!("{COLUMNS} WHERE (code_system, code) IN "));
            q.push_tuples(chunk, |mut t, d| {
                t.push_bind(d.code_system.as_str().to_owned()).push_bind(d.code.as_str().to_owned());
            });
            for row in q.build_query_as::<DivisionRow>().fetch_all(&mut *tx).await.map_err(map_err)? {
                let d = Division::try_from(row)?;
                stored.insert((d.code_system, d.code.as_str().to_owned()), d.name.as_str().to_owned());
            }
        }
        let (new, renamed, unchanged) =
            convert::split_upsert(divisions, |s, c| stored.get(&(s, c.as_str().to_owned())).map(String::as_str));
        for chunk in new.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO divisions (code_system, code, name, level, parent_code) ");
            q.push_values(chunk, |mut v, d| {
                v.push_bind(d.code_system.as_str().to_owned())
                    .push_bind(d.code.as_str().to_owned())
                    .push_bind(d.name.as_str().to_owned())
                    .push_bind(d.level().as_str().to_owned())
                    .push_bind(d.parent().map(|p| p.as_str().to_owned()));
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        for d in &renamed {
            let mut q = QueryBuilder::<DB>::new("UPDATE divisions SET name = ");
            q.push_bind(d.name.as_str().to_owned()).push(format!(", updated_at = {} WHERE code_system = ", DB::NOW));
            q.push_bind(d.code_system.as_str().to_owned()).push(" AND code = ").push_bind(d.code.as_str().to_owned());
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(UpsertCounts { inserted: new.len() as u64, updated: renamed.len() as u64, unchanged })
    }

    async fn division(&self, system: CodeSystem, code: &DivisionCode) -> StoreResult<Option<Division>> {
        let mut q = QueryBuilder::<DB>::new(format!("{COLUMNS} WHERE code_system = "));
        q.push_bind(system.as_str().to_owned()).push(" AND code = ").push_bind(code.as_str().to_owned());
        self.fetch_record::<DivisionRow, _>(&mut q).await
    }

    async fn divisions(&self, system: CodeSystem, codes: &[DivisionCode]) -> StoreResult<Vec<Division>> {
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(COLUMNS);
            q.push("WHERE code_system = ").push_bind(system.as_str().to_owned()).push(" AND code IN ");
            push_list(&mut q, chunk.iter().map(|c| c.as_str().to_owned()));
            for row in q.build_query_as::<DivisionRow>().fetch_all(self.pool()).await.map_err(map_err)? {
                out.push(Division::try_from(row)?);
            }
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    async fn divisions_named_in(&self, system: CodeSystem, text: &str) -> StoreResult<Vec<Division>> {
        // The short name (without 居委会 …) as addresses write it; `||` and
        // REPLACE work on both engines. A `%` or `_` inside a name would widen
        // the match, so candidates are checked again here.
        let mut short = "name".to_owned();
        for suffix in COMMITTEE_SUFFIXES {
            short = format!("REPLACE({short}, '{suffix}', '')");
        }
        let mut q = QueryBuilder::<DB>::new(COLUMNS);
        q.push("WHERE code_system = ").push_bind(system.as_str().to_owned());
        q.push(" AND ").push_bind(text.to_owned()).push(format!(" LIKE '%' || {short} || '%' ORDER BY code"));
        let rows = q.build_query_as::<DivisionRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        let found = rows.into_iter().map(Division::try_from).collect::<StoreResult<Vec<Division>>>()?;
        Ok(found.into_iter().filter(|d| text.contains(d.name.short())).collect())
    }

    async fn find_divisions(
        &self,
        system: CodeSystem,
        within: &DivisionCode,
        text: &str,
        limit: usize,
    ) -> StoreResult<Vec<Division>> {
        let (lower, upper) = within.descendant_bounds();
        let mut q = QueryBuilder::<DB>::new(COLUMNS);
        q.push("WHERE code_system = ").push_bind(system.as_str().to_owned()).push(" AND ");
        push_between(&mut q, "code", lower, upper);
        push_name_or_code(&mut q, text);
        q.push(" ORDER BY code LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        self.fetch_records::<DivisionRow, _>(&mut q).await
    }

    async fn child_divisions(&self, system: CodeSystem, parent: Option<&DivisionCode>) -> StoreResult<Vec<Division>> {
        let mut q = QueryBuilder::<DB>::new(COLUMNS);
        q.push("WHERE code_system = ").push_bind(system.as_str().to_owned());
        match parent {
            Some(p) => q.push(" AND parent_code = ").push_bind(p.as_str().to_owned()),
            None => q.push(" AND parent_code IS NULL"),
        };
        q.push(" ORDER BY code");
        self.fetch_records::<DivisionRow, _>(&mut q).await
    }

    async fn count_divisions(
        &self,
        system: CodeSystem,
        within: Option<&DivisionCode>,
    ) -> StoreResult<BTreeMap<DivisionLevel, u64>> {
        let mut q = QueryBuilder::<DB>::new("SELECT level, COUNT(*) AS n FROM divisions WHERE code_system = ");
        q.push_bind(system.as_str().to_owned());
        if let Some(node) = within {
            let (_, upper) = node.descendant_bounds();
            q.push(" AND code > ").push_bind(node.as_str().to_owned()).push(" AND code <= ").push_bind(upper);
        }
        q.push(" GROUP BY level");
        let mut out = BTreeMap::new();
        for row in q.build_query_as::<LevelCount>().fetch_all(self.pool()).await.map_err(map_err)? {
            out.insert(convert::level(&row.level)?, u64::try_from(row.n).unwrap_or(0));
        }
        Ok(out)
    }
}
