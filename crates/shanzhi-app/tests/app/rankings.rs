//! 口碑榜 end to end: a month's ranking from the indicators, published by a
//! supervisor and frozen (a later scheme or setting does not change it),
//! refused twice and before the month is over, chained by hash and logged;
//! `verify_log` finds a published ranking changed in the database.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::at;
use shanzhi_app::AppError;
use shanzhi_app::figures::{RankingFile, RankingQuery, SheetFormat};
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::timing::ManualClock;
use shanzhi_app::tlog::verify_log;
use shanzhi_domain::indicators::{Key, Period, UnitKind};
use shanzhi_domain::ranking::{Band, Grade, RANKING_GENESIS, RankingScheme, ranking_hash};
use shanzhi_domain::{DivisionCode, Role};
use shanzhi_testkit::TestApp;

async fn world() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at(11, 2, 9, 0)));
    let t = TestApp::new()
        .with_clock(clock.clone())
        .with_grid()
        .with_categories()
        .with_departments()
        .with_staff(Role::Resident)
        .with_staff(Role::Supervisor)
        .with_account("district_supervisor", Role::Supervisor, Some("510104"))
        .with_staff(Role::Dispatcher)
        .with_staff(Role::Admin)
        .start()
        .await;
    (t, clock)
}

fn report() -> IntakeRequest {
    IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(shanzhi_testkit::INSIDE_POINT.0),
        lat: Some(shanzhi_testkit::INSIDE_POINT.1),
        description: "总府路 2 号门口井盖破损".to_owned(),
        ..IntakeRequest::default()
    }
}

fn query(period: &str, by: UnitKind) -> RankingQuery {
    RankingQuery { period: Period::parse(period).expect("period"), by, within: None }
}

fn conflict_code(e: AppError) -> &'static str {
    match e {
        AppError::Conflict { code, .. } => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_published_month_is_frozen_chained_and_logged() {
    let (t, clock) = world().await;
    let resident = t.scoped(t.actor_for(Role::Resident).await);
    let closed = resident.intake(report()).await.expect("report").matter.id;
    t.close_matter(&closed).await;
    resident.intake(report()).await.expect("a second, left open");
    clock.set(at(12, 2, 9, 0));

    let supervisor = t.scoped(t.actor_for(Role::Supervisor).await);
    let nov = query("2026-11", UnitKind::District);
    let computed = supervisor.ranking(&nov).await.expect("computed");
    assert!(!computed.published && computed.hash.is_none());
    assert_eq!(computed.scope, "510100000000");
    assert_eq!(computed.scheme, RankingScheme::default_for(UnitKind::District), "the default scheme");
    let jinjiang = computed.rows.iter().find(|r| r.name == "锦江区").expect("锦江区 is listed by name");
    assert_eq!(jinjiang.code, "510104");
    // By hand, default scheme: handled on time 1 of 1 (weight 40), no rating
    // yet (satisfaction, 30, left out), closed 1 of 2 reported (20), no rework
    // in 1 verification (10, as 1 − 0): 100 × (40 + 10 + 10) / 70 = 85.71, B.
    let closure = jinjiang.figures[&Key::ClosureRate];
    assert_eq!((closure.numerator, closure.denominator), (1.0, 2.0));
    assert_eq!(jinjiang.figures[&Key::SatisfactionRate].value, None);
    assert_eq!((jinjiang.score, jinjiang.grade), (Some(85.71), Some(Grade::B)));
    assert_eq!(jinjiang.rank, Some(1));
    assert_eq!(jinjiang.change_label(), "新", "October had no ranked unit");
    assert!(
        computed.rows.iter().filter(|r| r.code != "510104").all(|r| r.rank.is_none() && r.score.is_none()),
        "districts without any denominator are listed unranked"
    );

    // Not before the month is over; not by a dispatcher; not for a town.
    let dec = query("2026-12", UnitKind::District);
    assert_eq!(conflict_code(supervisor.publish_ranking(&dec).await.expect_err("December")), "period_not_over");
    let dispatcher = t.scoped(t.actor_for(Role::Dispatcher).await);
    assert!(matches!(dispatcher.publish_ranking(&nov).await, Err(AppError::Forbidden(_))));
    let town = RankingQuery { within: Some(DivisionCode::parse("510104022").expect("code")), ..nov.clone() };
    assert!(matches!(supervisor.publish_ranking(&town).await, Err(AppError::Invalid { code: "invalid_scope", .. })));
    let district_supervisor = t.scoped(t.actor("district_supervisor").await);
    assert!(
        matches!(district_supervisor.publish_ranking(&nov).await, Err(AppError::Forbidden(_))),
        "a district's supervisor does not publish the city's ranking"
    );
    let resident_refusal = resident.ranking(&nov).await.expect_err("residents read no figures");
    assert!(matches!(resident_refusal, AppError::NotFound { .. }));

    let published = supervisor.publish_ranking(&nov).await.expect("publish");
    assert!(published.published);
    assert_eq!(published.rows, computed.rows, "what was computed is what is frozen");
    assert_eq!(published.seq, Some(1));
    assert_eq!(published.prev_hash.as_deref(), Some(RANKING_GENESIS));
    let log_index = published.log_index.expect("a leaf");
    let leaves = t.store().log_leaves(log_index, 1).await.expect("leaf");
    assert_eq!(leaves[0].kind, shanzhi_domain::tlog::LeafKind::Ranking);
    assert_eq!(conflict_code(supervisor.publish_ranking(&nov).await.expect_err("twice")), "already_published");

    // A 善治成都 article links the published month by its words and page;
    // a month never published is refused.
    let mut article = shanzhi_app::cases::CaseForm {
        kind: shanzhi_domain::case::ArticleKind::Case,
        title: "锦江区按期办结".to_owned(),
        summary: "口碑榜的数字从哪里来".to_owned(),
        body: "正文".to_owned(),
        tags: vec![],
        places: vec!["510104".to_owned()],
        links: vec!["ranking:2026-10:district".to_owned()],
        source: "测试".to_owned(),
        images: vec![],
    };
    let unpublished = dispatcher.create_case("510104022000", &article).await.expect_err("October");
    assert_eq!(unpublished.code(), "unknown_link");
    article.links = vec!["ranking:2026-11:district".to_owned()];
    let case = dispatcher.create_case("510104022000", &article).await.expect("linked");
    assert_eq!(case.links[0].label, "口碑榜：2026-11 区（市）县");
    assert_eq!(case.links[0].href, "/rankings?period=2026-11&by=district");

    // A new scheme from November and another weight of 基本满意 change what
    // November computes to — not what was published.
    let scheme = RankingScheme {
        by: UnitKind::District,
        from: "2026-11".into(),
        version: 0,
        weights: BTreeMap::from([(Key::ClosureRate, 50), (Key::ProactiveShare, 50)]),
        bands: [(Grade::A, 95.0), (Grade::B, 85.0), (Grade::C, 75.0), (Grade::D, 65.0)]
            .into_iter()
            .map(|(grade, min)| Band { grade, min })
            .collect(),
    };
    assert!(matches!(dispatcher.save_ranking_scheme(scheme.clone()).await, Err(AppError::Forbidden(_))));
    let mut bad = scheme.clone();
    bad.weights.insert(Key::ReworkRate, 5);
    assert!(matches!(supervisor.save_ranking_scheme(bad).await, Err(AppError::Invalid { code: "invalid_scheme", .. })));
    let saved = t.scoped(t.actor_for(Role::Admin).await).save_ranking_scheme(scheme.clone()).await.expect("saved");
    assert_eq!(saved.version, 1);
    let again = supervisor.ranking(&nov).await.expect("read again");
    assert_eq!(again.rows, published.rows, "the published month does not change");
    assert_eq!(again.scheme.version, 0, "nor its scheme");
    assert_eq!(again.hash, published.hash);
    let schemes = supervisor.ranking_schemes().await.expect("schemes");
    assert_eq!(schemes.versions.len(), 1);
    assert!(schemes.in_force.iter().any(|s| s.by == UnitKind::District && s.version == 1));
    // The same month of departments is another publication, chained to the first.
    let departments = supervisor.publish_ranking(&query("2026-11", UnitKind::Department)).await.expect("departments");
    assert_eq!(departments.prev_hash, published.hash);
    let chain = t.store().published_rankings(0, 10).await.expect("chain");
    assert_eq!(chain[1].hash, ranking_hash(&chain[0].hash, 2, &chain[1].body));

    // December compares with November's publication.
    let december = supervisor.ranking(&dec).await.expect("december");
    assert!(december.previous_published && december.scheme.version == 1);

    // The export: Chinese headers, names.
    let (file, name) = supervisor.ranking_file(&nov, SheetFormat::Csv).await.expect("csv");
    assert!(name.starts_with("口碑榜-成都市-区（市）县-2026-11"), "{name}");
    let RankingFile::Csv(text) = file else { panic!("CSV asked for") };
    let header = text.trim_start_matches('\u{feff}').lines().next().expect("header");
    assert!(header.starts_with("名次,单位,得分,等级,上期名次,变化,"), "{header}");
    assert!(header.contains("按期处置率") && header.contains("满意率"), "{header}");
    assert!(text.lines().nth(1).expect("a row").starts_with("1,锦江区,"), "{text}");
    let (file, name) = supervisor.ranking_file(&nov, SheetFormat::Xlsx).await.expect("xlsx");
    assert!(name.ends_with(".xlsx") && matches!(file, RankingFile::Xlsx(_)));

    // The log verifies; then a publication's bytes are changed in the database.
    let clean = verify_log(&t, None, &[], &[]).await.expect("verify");
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    t.db()
        .execute_raw("UPDATE published_rankings SET body = REPLACE(body, '\"rank\":1', '\"rank\":2') WHERE seq = 1")
        .await;
    let found = verify_log(&t, None, &[], &[]).await.expect("verify");
    assert!(found.problems.iter().any(|p| p.en.contains("changed after it was published")), "{:?}", found.problems);
    // …and with its hash recomputed: the leaf and the next link tell.
    let tampered = t.store().published_rankings(0, 1).await.expect("read").remove(0);
    let rehashed = ranking_hash(&tampered.prev_hash, 1, &tampered.body);
    t.db().execute_raw(&format!("UPDATE published_rankings SET hash = '{rehashed}' WHERE seq = 1")).await;
    let found = verify_log(&t, None, &[], &[]).await.expect("verify");
    let text: Vec<&str> = found.problems.iter().map(|p| p.en.as_str()).collect();
    assert!(text.iter().any(|p| p.contains("published ranking 1 was changed after it was logged")), "{text:?}");
    assert!(text.iter().any(|p| p.contains("does not chain")), "{text:?}");
}
