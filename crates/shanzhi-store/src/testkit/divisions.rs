use shanzhi_domain::{CodeSystem, DivisionLevel};

use super::{code, division};
use crate::{Store, UpsertCounts};

const NBS: CodeSystem = CodeSystem::Nbs2023;

/// Sichuan → Chengdu → two districts → towns → communities, parents first.
fn sample() -> Vec<shanzhi_domain::Division> {
    vec![
        division(NBS, "51", "四川省"),
        division(NBS, "5101", "成都市"),
        division(NBS, "510104", "锦江区"),
        division(NBS, "510105", "青羊区"),
        division(NBS, "510104022", "春熙路街道"),
        division(NBS, "510104021", "督院街街道"),
        division(NBS, "510104022001", "和平社区"),
        division(NBS, "510104022002", "北糠市街社区"),
        division(NBS, "510105001", "少城街道"),
    ]
}

pub async fn divisions_round_trip(store: &dyn Store) {
    let counts = store.upsert_divisions(&sample()).await.expect("upsert");
    assert_eq!(counts, UpsertCounts { inserted: 9, updated: 0, unchanged: 0 });
    let got = store.division(NBS, &code("510104022001")).await.expect("read");
    assert_eq!(got, Some(division(NBS, "510104022001", "和平社区")));
    assert_eq!(got.map(|d| d.level()), Some(DivisionLevel::Community));
    assert_eq!(store.division(NBS, &code("510104022003")).await.expect("read"), None);
}

pub async fn children_are_ordered_and_roots_have_no_parent(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("upsert");
    let towns = store.child_divisions(NBS, Some(&code("510104"))).await.expect("children");
    let names: Vec<_> = towns.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["督院街街道", "春熙路街道"], "ordered by code");
    let roots = store.child_divisions(NBS, None).await.expect("roots");
    assert_eq!(roots, vec![division(NBS, "51", "四川省")]);
    let leaves = store.child_divisions(NBS, Some(&code("510104022001"))).await.expect("leaf");
    assert!(leaves.is_empty());
}

pub async fn reimporting_the_same_divisions_changes_nothing(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("first");
    let again = store.upsert_divisions(&sample()).await.expect("second");
    assert_eq!(again, UpsertCounts { inserted: 0, updated: 0, unchanged: 9 });
    let counts = store.count_divisions(NBS, None).await.expect("count");
    assert_eq!(counts.values().sum::<u64>(), 9);
}

pub async fn renaming_a_division_counts_as_an_update(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("first");
    let mut changed = sample();
    changed[3] = division(NBS, "510105", "青羊区（新）");
    let counts = store.upsert_divisions(&changed).await.expect("second");
    assert_eq!(counts, UpsertCounts { inserted: 0, updated: 1, unchanged: 8 });
    let got = store.division(NBS, &code("510105")).await.expect("read").expect("present");
    assert_eq!(got.name.as_str(), "青羊区（新）");
}

pub async fn an_orphan_rolls_back_the_whole_batch(store: &dyn Store) {
    let mut batch = sample();
    batch.push(division(NBS, "510106001", "无上级的街道")); // 510106 is not in the batch
    assert!(store.upsert_divisions(&batch).await.is_err(), "orphan must be refused");
    let counts = store.count_divisions(NBS, None).await.expect("count");
    assert!(counts.is_empty(), "nothing written, got {counts:?}");
}

pub async fn code_systems_never_mix(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("nbs");
    let mca = [
        division(CodeSystem::Mca, "51", "四川省"),
        division(CodeSystem::Mca, "5101", "成都市"),
        division(CodeSystem::Mca, "510104", "锦江区"),
        division(CodeSystem::Mca, "510104003", "春熙路街道"),
        division(CodeSystem::Mca, "510104022", "另一个街道"),
    ];
    let counts = store.upsert_divisions(&mca).await.expect("mca");
    assert_eq!(counts.inserted, 5, "same codes in another system are new rows");
    let nbs = store.division(NBS, &code("510104022")).await.expect("read").expect("nbs");
    assert_eq!(nbs.name.as_str(), "春熙路街道");
    let other = store.division(CodeSystem::Mca, &code("510104022")).await.expect("read").expect("mca");
    assert_eq!(other.name.as_str(), "另一个街道");
    let mca_towns = store.child_divisions(CodeSystem::Mca, Some(&code("510104"))).await.expect("children");
    assert_eq!(mca_towns.len(), 2);
    assert!(mca_towns.iter().all(|d| d.code_system == CodeSystem::Mca));
}

pub async fn counts_by_level_cover_exactly_the_subtree(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("upsert");
    let city = store.count_divisions(NBS, Some(&code("5101"))).await.expect("count");
    assert_eq!(city.get(&DivisionLevel::City), None, "the node itself is excluded");
    assert_eq!(city.get(&DivisionLevel::District), Some(&2));
    assert_eq!(city.get(&DivisionLevel::Town), Some(&3));
    assert_eq!(city.get(&DivisionLevel::Community), Some(&2));
    let district = store.count_divisions(NBS, Some(&code("510105"))).await.expect("count");
    assert_eq!(district.into_iter().collect::<Vec<_>>(), vec![(DivisionLevel::Town, 1)]);
    let all = store.count_divisions(NBS, None).await.expect("count");
    assert_eq!(all.get(&DivisionLevel::Province), Some(&1));
    assert!(store.count_divisions(CodeSystem::Mca, None).await.expect("count").is_empty());
}

pub async fn lookup_by_codes_returns_only_existing_in_order(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("upsert");
    let wanted = [code("510104022"), code("5101"), code("510199"), code("51")];
    let got = store.divisions(NBS, &wanted).await.expect("lookup");
    let codes: Vec<_> = got.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["510000000000", "510100000000", "510104022000"]);
    assert!(store.divisions(NBS, &[]).await.expect("empty").is_empty());
}

pub async fn divisions_are_found_by_name_in_an_address(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("upsert");
    let all = store.child_divisions(NBS, None).await.expect("roots");
    assert!(!all.is_empty());
    let town = store.division(NBS, &code("510104022")).await.expect("read").expect("town");
    let text = format!("成都市锦江区{}总府路2号", town.name);
    let found = store.divisions_named_in(NBS, &text).await.expect("search");
    assert!(found.iter().any(|d| d.code == town.code), "{found:?}");
    assert!(found.iter().all(|d| text.contains(d.name.as_str())), "only names that occur");
    assert!(store.divisions_named_in(NBS, "火星基地").await.expect("search").is_empty());
    let committee = division(NBS, "510104022003", "盐市口社区居委会");
    store.upsert_divisions(&[committee]).await.expect("upsert");
    let found = store.divisions_named_in(NBS, "锦江区盐市口社区 5 号").await.expect("search");
    assert_eq!(
        found.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["510104000000", "510104022003"],
        "the district, and the community named without 居委会"
    );
    assert!(store.divisions_named_in(NBS, "%").await.expect("search").is_empty(), "% is not a wildcard here");
}

pub async fn large_batches_are_written_whole(store: &dyn Store) {
    // More rows than any single statement may bind on either engine.
    let mut batch = vec![division(NBS, "51", "四川省"), division(NBS, "5101", "成都市")];
    for d in 1..=20u32 {
        batch.push(division(NBS, &format!("5101{d:02}"), &format!("区{d}")));
        for t in 1..=10u32 {
            batch.push(division(NBS, &format!("5101{d:02}{t:03}"), &format!("街道{d}-{t}")));
            for c in 1..=60u32 {
                batch.push(division(NBS, &format!("5101{d:02}{t:03}{c:03}"), &format!("社区{d}-{t}-{c}")));
            }
        }
    }
    let n = batch.len() as u64;
    let counts = store.upsert_divisions(&batch).await.expect("bulk");
    assert_eq!(counts.inserted, n);
    let by_level = store.count_divisions(NBS, Some(&code("5101"))).await.expect("count");
    assert_eq!(by_level.get(&DivisionLevel::Community), Some(&12_000));
    batch.push(division(NBS, "510121001", "孤儿街道"));
    assert!(store.upsert_divisions(&batch).await.is_err());
    let after = store.count_divisions(NBS, None).await.expect("count");
    assert_eq!(after.values().sum::<u64>(), n, "a failed bulk write leaves the store as it was");
}

pub async fn divisions_are_found_by_part_of_a_name_or_a_code_within_a_subtree(store: &dyn Store) {
    store.upsert_divisions(&sample()).await.expect("upsert");
    let names = |found: Vec<shanzhi_domain::Division>| found.into_iter().map(|d| d.name.as_str().to_owned()).collect();
    let find = |within: &'static str, text: &'static str, limit: usize| async move {
        names(store.find_divisions(NBS, &code(within), text, limit).await.expect("find"))
    };
    let got: Vec<String> = find("5101", "街道", 10).await;
    assert_eq!(got, ["督院街街道", "春熙路街道", "少城街道"], "by part of a name, in code order");
    assert_eq!(find("510104", "街道", 10).await, ["督院街街道", "春熙路街道"], "only within the subtree");
    assert_eq!(find("510104", "锦江", 10).await, ["锦江区"], "the subtree's root itself");
    assert_eq!(find("510104", "少城", 10).await, Vec::<String>::new(), "not outside");
    assert_eq!(find("5101", "510104022", 10).await, ["春熙路街道", "和平社区", "北糠市街社区"], "by a code's start");
    assert_eq!(find("5101", "街道", 1).await, ["督院街街道"], "at most the limit");
    assert_eq!(find("5101", "%", 10).await, Vec::<String>::new(), "LIKE's wildcards are plain characters");
}
