//! 善治成都: every version of an article is kept, an edit or a review step
//! applies only from the version and state read, and lists filter by state,
//! subtree, kind, tag, places and folded words.

use shanzhi_domain::Micros;
use shanzhi_domain::search::fold;

use crate::{ArticleContent, ArticleQuery, ArticleRecord, ArticleReview, Store, StoreError};

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn content(title: &str, body: &str, tags: &[&str]) -> ArticleContent {
    ArticleContent {
        kind: "case".to_owned(),
        title: title.to_owned(),
        summary: "摘要".to_owned(),
        body: body.to_owned(),
        tags: serde_json::to_string(tags).expect("tags"),
        places: "[\"510104022006\"]".to_owned(),
        links: "[]".to_owned(),
        source: "《善治成都》".to_owned(),
        images: "[]".to_owned(),
    }
}

fn article(id: &str, division: &str, c: ArticleContent) -> ArticleRecord {
    let search_text = fold(&format!("{} {} {} {}", c.title, c.summary, c.body, c.tags));
    ArticleRecord {
        id: id.to_owned(),
        division: division.to_owned(),
        author: "editor".to_owned(),
        state: "draft".to_owned(),
        version: 1,
        content: c,
        search_text,
        created_at: at(0),
        updated_at: at(0),
        published_at: None,
    }
}

fn review(version: i64, step: &str, s: i64, body: &str) -> ArticleReview {
    ArticleReview {
        seq: 0,
        version,
        step: step.to_owned(),
        author: "reviewer".to_owned(),
        at: at(s),
        body: body.to_owned(),
    }
}

pub async fn articles_keep_every_version_and_move_on_only_from_the_state_read(store: &dyn Store) {
    let a = article("a1", "510104022000", content("院落治理", "第一稿", &["院落治理"]));
    store.create_article(&a, "editor").await.expect("create");
    assert!(store.create_article(&a, "editor").await.is_err(), "an id once");
    store.review_article("a1", "draft", "submitted", &review(1, "submit", 1, "")).await.expect("submit");
    let c2 = content("院落治理", "第二稿", &["院落治理"]);
    let refused = store.save_article_version("a1", 1, &c2, "x", "editor", at(2)).await;
    assert!(matches!(refused, Err(StoreError::Constraint(_))), "no edit while submitted: {refused:?}");
    store.review_article("a1", "submitted", "returned", &review(1, "return", 3, "请补充数据")).await.expect("return");
    let stale = store.review_article("a1", "submitted", "published", &review(1, "publish", 3, "")).await;
    assert!(matches!(stale, Err(StoreError::Constraint(_))), "not from a state it has left");
    assert_eq!(store.save_article_version("a1", 1, &c2, "第二稿", "editor", at(4)).await.expect("edit"), 2);
    let again = store.save_article_version("a1", 1, &c2, "x", "editor", at(4)).await;
    assert!(matches!(again, Err(StoreError::Constraint(_))), "not from a version read before");
    store.review_article("a1", "returned", "submitted", &review(2, "submit", 5, "")).await.expect("resubmit");
    let old = store.review_article("a1", "submitted", "published", &review(1, "publish", 6, "")).await;
    assert!(old.is_err(), "a review is of the version read");
    store.review_article("a1", "submitted", "published", &review(2, "publish", 6, "好")).await.expect("publish");

    let now = store.article("a1").await.expect("read").expect("there");
    assert_eq!((now.state.as_str(), now.version, now.content.body.as_str()), ("published", 2, "第二稿"));
    assert_eq!(now.published_at, Some(at(6)));
    assert_eq!(now.search_text, "第二稿");
    let versions = store.article_versions("a1").await.expect("versions");
    let bodies: Vec<&str> = versions.iter().map(|v| v.content.body.as_str()).collect();
    assert_eq!(bodies, ["第一稿", "第二稿"], "every version kept whole");
    let steps = store.article_reviews("a1").await.expect("reviews");
    let seen: Vec<(i64, i64, &str, &str)> =
        steps.iter().map(|r| (r.seq, r.version, r.step.as_str(), r.body.as_str())).collect();
    assert_eq!(
        seen,
        [(1, 1, "submit", ""), (2, 1, "return", "请补充数据"), (3, 2, "submit", ""), (4, 2, "publish", "好")]
    );
    assert!(store.article("nope").await.expect("read").is_none());
}

pub async fn articles_are_listed_by_state_subtree_kind_tag_and_words(store: &dyn Store) {
    let rows = [
        ("b1", "510104022000", "五线工作法在总府路", "以事聚人，聚人成事", vec!["五线工作法"]),
        ("b2", "510105000000", "院落自治", "居民自己管院落", vec!["院落治理", "场景营造"]),
        ("b3", "510104000000", "双線融合", "网格与社区", vec!["双线融合"]),
    ];
    for (i, (id, division, title, body, tags)) in rows.iter().enumerate() {
        let mut c = content(title, body, tags);
        if *id == "b2" {
            c.places = "[\"510104022000\",\"510105000000\"]".to_owned();
        }
        store.create_article(&article(id, division, c), "editor").await.expect("create");
        if *id != "b3" {
            let s = i64::try_from(i).expect("small") * 10;
            store.review_article(id, "draft", "submitted", &review(1, "submit", s + 1, "")).await.expect("submit");
            store.review_article(id, "submitted", "published", &review(1, "publish", s + 2, "")).await.expect("pub");
        }
    }
    let ids = |v: Vec<ArticleRecord>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let published = |words: &[&str]| ArticleQuery {
        state: Some("published".to_owned()),
        words: words.iter().map(|w| fold(w)).collect(),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(ids(store.articles(&published(&[])).await.expect("list")), ["b2", "b1"], "newest published first");
    assert_eq!(ids(store.articles(&published(&["聚人"])).await.expect("q")), ["b1"], "a two-character word");
    assert_eq!(ids(store.articles(&published(&["院落", "居民"])).await.expect("q")), ["b2"], "every word");
    assert!(store.articles(&published(&["院落", "聚人"])).await.expect("q").is_empty());
    assert!(store.articles(&published(&["融合"])).await.expect("q").is_empty(), "drafts are not published");
    assert!(store.articles(&published(&["%"])).await.expect("q").is_empty(), "wildcards are text");
    let all = |q: ArticleQuery| ArticleQuery { limit: 50, ..q };
    let found = store.articles(&all(ArticleQuery { words: vec![fold("双线")], ..Default::default() })).await;
    assert_eq!(ids(found.expect("q")), ["b3"], "traditional characters folded");
    let tagged = store.articles(&all(ArticleQuery { tag: Some("院落治理".to_owned()), ..Default::default() })).await;
    assert_eq!(ids(tagged.expect("tag")), ["b2"]);
    let within = store.articles(&all(ArticleQuery { within: Some("510104".to_owned()), ..Default::default() })).await;
    let mut w = ids(within.expect("within"));
    w.sort();
    assert_eq!(w, ["b1", "b3"]);
    let kind = store.articles(&all(ArticleQuery { kind: Some("policy".to_owned()), ..Default::default() })).await;
    assert!(kind.expect("kind").is_empty());
    let about = |places: &[&str]| ArticleQuery {
        state: Some("published".to_owned()),
        places: places.iter().map(|p| (*p).to_owned()).collect(),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(ids(store.articles(&about(&["510104022006"])).await.expect("places")), ["b1"], "published, about it");
    let either = store.articles(&about(&["510104022006", "510104022000"])).await.expect("places");
    assert_eq!(ids(either), ["b2", "b1"], "about any of them, newest first");
    assert!(store.articles(&about(&["510104"])).await.expect("places").is_empty(), "a whole code, not a prefix");
    assert!(store.articles(&about(&["%"])).await.expect("places").is_empty(), "only digits are codes");
    let one = store.articles(&ArticleQuery { limit: 1, ..Default::default() }).await.expect("limit");
    assert_eq!(one.len(), 1, "bounded");
}
