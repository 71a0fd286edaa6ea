//! A made-up register for tests and trials (`shanzhi demo register`): one
//! street's buildings, households and residents, a few shops, organisations
//! and facilities, in the import's CSV format. The same seed gives the same
//! file. Every person is invented; ID numbers have valid check digits but
//! made-up serial numbers.

use std::collections::HashSet;
use std::fmt::Write;

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use shanzhi_domain::register::IdNumber;
use shanzhi_domain::{DivisionCode, GridCode, GridKind};

use crate::grids::{GridFilter, today};
use crate::{App, AppError, AppResult};

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林", "郑", "梁", "谢", "唐",
];
const GIVEN: [&str; 32] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "文", "玉", "兰", "红", "春", "晓", "琳",
];
const ROADS: [&str; 8] = ["总府路", "春熙路", "红星路", "大业路", "东大街", "纱帽街", "暑袜街", "商业街"];
const SHOPS: [&str; 6] = ["便利店", "餐馆", "理发店", "药店", "茶馆", "五金店"];
const FACILITIES: [&str; 4] = ["公厕", "垃圾分类点", "消防栓", "健身点"];

/// The CSV header the import reads.
pub const HEADER: &str = "类别,楼栋地址,楼栋类型,网格编码,单元,房号,户主,姓名,身份证号,性别,出生年份,联系电话,人口类型";

/// A register for `grids` (their street), `households` households of one to
/// four people (about 2.5 on average), 48 households a building.
pub fn register_csv(region: &str, grids: &[GridCode], households: usize, seed: u64) -> String {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut out = String::with_capacity(households * 250);
    out.push_str(HEADER);
    out.push('\n');
    let mut ids = HashSet::new();
    let buildings = households.div_ceil(48).max(1);
    for b in 0..buildings {
        let grid = &grids[b % grids.len().max(1)];
        let address = format!("{}{}号{}栋", ROADS[b % ROADS.len()], b / ROADS.len() + 1, b % 3 + 1);
        for h in 0..48.min(households - b * 48) {
            let (unit, room) = (h / 12 + 1, (h % 12 / 2 + 1) * 100 + h % 2 + 1);
            let size = [1, 2, 2, 3, 3, 3, 4, 2][rng.random_range(0..8)];
            for p in 0..size {
                let year = if p < 2 { rng.random_range(1940..2000) } else { rng.random_range(2005..2024) };
                let (month, day) = (rng.random_range(1..13), rng.random_range(1..29));
                let id = loop {
                    let serial = rng.random_range(0..1000);
                    let first17 = format!("{region}{year:04}{month:02}{day:02}{serial:03}");
                    if let Ok(id) = IdNumber::with_check_digit(&first17)
                        && ids.insert(first17)
                    {
                        break id;
                    }
                };
                let name = format!(
                    "{}{}{}",
                    SURNAMES[rng.random_range(0..SURNAMES.len())],
                    GIVEN[rng.random_range(0..GIVEN.len())],
                    if rng.random_range(0..2) == 0 { GIVEN[rng.random_range(0..GIVEN.len())] } else { "" }
                );
                let phone = if rng.random_range(0..10) < 7 {
                    format!("13{:09}", rng.random_range(0..1_000_000_000u64))
                } else {
                    String::new()
                };
                let status = ["户籍", "户籍", "户籍", "户籍", "户籍", "户籍", "户籍", "常住", "流动", "空挂"]
                    [rng.random_range(0..10)];
                let head = if p == 0 { "是" } else { "否" };
                let _ = writeln!(
                    out,
                    "居民,{address},住宅,{grid},{unit},{room},{head},{name},{},,{year},{phone},{status}",
                    id.reveal()
                );
            }
        }
        if b % 4 == 0 {
            let _ = writeln!(
                out,
                "商户,{address},住宅,{grid},,,,{}{},,,,,",
                ROADS[b % ROADS.len()],
                SHOPS[b % SHOPS.len()]
            );
        }
        if b % 10 == 0 {
            let _ = writeln!(
                out,
                "设施,{address},住宅,{grid},,,,{}{},,,,,",
                ROADS[b % ROADS.len()],
                FACILITIES[b % FACILITIES.len()]
            );
        }
    }
    out
}

impl App {
    /// A made-up register for `street`'s general grids (see [`register_csv`]).
    pub async fn generate_register(&self, street: &DivisionCode, households: usize, seed: u64) -> AppResult<String> {
        let filter = GridFilter {
            as_of: Some(today()),
            within: Some(street.clone()),
            kind: Some(GridKind::General),
            ..GridFilter::default()
        };
        let grids: Vec<GridCode> = self.grids(&filter).await?.into_iter().map(|g| g.info.code).collect();
        if grids.is_empty() {
            return Err(AppError::bad_request(
                "no_grids",
                format!("街道 {street} 没有一般网格"),
                format!("street {street} has no general grids"),
            ));
        }
        let region = street.as_str().get(..6).unwrap_or("510104").to_owned();
        Ok(register_csv(&region, &grids, households, seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_file_with_unique_valid_ids() {
        let grids = [GridCode::parse("510104022006001").expect("grid")];
        let a = register_csv("510104", &grids, 200, 7);
        assert_eq!(a, register_csv("510104", &grids, 200, 7));
        assert_ne!(a, register_csv("510104", &grids, 200, 8));
        let ids: Vec<&str> = a.lines().skip(1).filter_map(|l| l.split(',').nth(8)).filter(|s| !s.is_empty()).collect();
        assert!(ids.len() >= 200, "at least one person a household");
        assert!(ids.iter().all(|id| IdNumber::parse(id).is_ok()));
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    }
}
