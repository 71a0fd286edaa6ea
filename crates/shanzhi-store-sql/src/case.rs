//! 善治成都 (migration 0019): articles, their versions and their review.

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_store::{
    ArticleContent, ArticleQuery, ArticleRecord, ArticleReview, ArticleVersion, CaseStore, StoreError, StoreResult,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::like_pattern;
use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct ContentRow {
    kind: String,
    title: String,
    summary: String,
    body: String,
    tags: String,
    places: String,
    links: String,
    source: String,
    images: String,
}

impl From<ContentRow> for ArticleContent {
    fn from(r: ContentRow) -> ArticleContent {
        ArticleContent {
            kind: r.kind,
            title: r.title,
            summary: r.summary,
            body: r.body,
            tags: r.tags,
            places: r.places,
            links: r.links,
            source: r.source,
            images: r.images,
        }
    }
}

const CONTENT_COLUMNS: &str = "kind, title, summary, body, tags, places, links, source, images";
const ARTICLE_COLUMNS: &str = "id, division_code, author, state, version, kind, title, summary, body, tags, places, \
     links, source, images, search_text, created_at, updated_at, published_at";

#[derive(SqlRow)]
struct ArticleRow {
    id: String,
    division_code: String,
    author: String,
    state: String,
    version: i64,
    #[sql_row(flatten)]
    content: ContentRow,
    search_text: String,
    created_at: i64,
    updated_at: i64,
    published_at: Option<i64>,
}

impl From<ArticleRow> for ArticleRecord {
    fn from(r: ArticleRow) -> ArticleRecord {
        ArticleRecord {
            id: r.id,
            division: r.division_code,
            author: r.author,
            state: r.state,
            version: r.version,
            content: r.content.into(),
            search_text: r.search_text,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            published_at: r.published_at.map(Into::into),
        }
    }
}

#[derive(SqlRow)]
struct VersionRow {
    version: i64,
    #[sql_row(flatten)]
    content: ContentRow,
    saved_by: String,
    saved_at: i64,
}

impl From<VersionRow> for ArticleVersion {
    fn from(r: VersionRow) -> ArticleVersion {
        ArticleVersion {
            version: r.version,
            content: r.content.into(),
            saved_by: r.saved_by,
            saved_at: r.saved_at.into(),
        }
    }
}

#[derive(SqlRow)]
struct ReviewRow {
    seq: i64,
    version: i64,
    step: String,
    author: String,
    at: i64,
    body: String,
}

impl From<ReviewRow> for ArticleReview {
    fn from(r: ReviewRow) -> ArticleReview {
        ArticleReview { seq: r.seq, version: r.version, step: r.step, author: r.author, at: r.at.into(), body: r.body }
    }
}

fn changed(id: &str) -> StoreError {
    StoreError::Constraint(format!("article {id} changed meanwhile, is not in that state, or does not exist"))
}

/// Insert a version in the caller's transaction.
#[sql_bounds]
async fn insert_version<DB>(
    conn: &mut DB::Connection,
    id: &str,
    version: i64,
    c: &ArticleContent,
    saved_by: &str,
    at: Micros,
) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new(format!(
        "INSERT INTO article_versions (article_id, version, {CONTENT_COLUMNS}, saved_by, saved_at) "
    ));
    q.push_values([c], |mut v, c| {
        v.push_bind(id.to_owned()).push_bind(version);
        push_content(&mut v, c);
        v.push_bind(saved_by.to_owned()).push_bind(at.get());
    });
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    Ok(())
}

fn push_content<DB: sqlx::Database>(v: &mut sqlx::query_builder::Separated<'_, DB, &'static str>, c: &ArticleContent)
where
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    v.push_bind(c.kind.clone())
        .push_bind(c.title.clone())
        .push_bind(c.summary.clone())
        .push_bind(c.body.clone())
        .push_bind(c.tags.clone())
        .push_bind(c.places.clone())
        .push_bind(c.links.clone())
        .push_bind(c.source.clone())
        .push_bind(c.images.clone());
}

#[sql_bounds]
#[async_trait]
impl<DB> CaseStore for SqlStore<DB> {
    async fn create_article(&self, r: &ArticleRecord, saved_by: &str) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO articles ({ARTICLE_COLUMNS}) "));
        q.push_values([r], |mut v, r| {
            v.push_bind(r.id.clone())
                .push_bind(r.division.clone())
                .push_bind(r.author.clone())
                .push_bind(r.state.clone())
                .push_bind(r.version);
            push_content(&mut v, &r.content);
            v.push_bind(r.search_text.clone())
                .push_bind(r.created_at.get())
                .push_bind(r.updated_at.get())
                .push_bind(r.published_at.map(|m| m.get()));
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        insert_version::<DB>(&mut tx, &r.id, r.version, &r.content, saved_by, r.created_at).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn save_article_version(
        &self,
        id: &str,
        expected_version: i64,
        c: &ArticleContent,
        search_text: &str,
        saved_by: &str,
        at: Micros,
    ) -> StoreResult<i64> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE articles SET version = version + 1, kind = ");
        q.push_bind(c.kind.clone()).push(", title = ").push_bind(c.title.clone());
        q.push(", summary = ").push_bind(c.summary.clone()).push(", body = ").push_bind(c.body.clone());
        q.push(", tags = ").push_bind(c.tags.clone()).push(", places = ").push_bind(c.places.clone());
        q.push(", links = ").push_bind(c.links.clone()).push(", source = ").push_bind(c.source.clone());
        q.push(", images = ").push_bind(c.images.clone());
        q.push(", search_text = ").push_bind(search_text.to_owned()).push(", updated_at = ").push_bind(at.get());
        q.push(" WHERE id = ").push_bind(id.to_owned()).push(" AND version = ").push_bind(expected_version);
        q.push(" AND state IN ('draft', 'returned') RETURNING version");
        let row = q.build().fetch_optional(&mut *tx).await.map_err(map_err)?;
        if row.is_none() {
            return Err(changed(id));
        }
        let version = expected_version + 1;
        insert_version::<DB>(&mut tx, id, version, c, saved_by, at).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(version)
    }

    async fn review_article(&self, id: &str, from: &str, to: &str, r: &ArticleReview) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE articles SET state = ");
        q.push_bind(to.to_owned()).push(", updated_at = ").push_bind(r.at.get());
        if to == "published" {
            q.push(", published_at = ").push_bind(r.at.get());
        }
        q.push(" WHERE id = ").push_bind(id.to_owned()).push(" AND version = ").push_bind(r.version);
        q.push(" AND state = ").push_bind(from.to_owned()).push(" RETURNING id");
        if q.build().fetch_optional(&mut *tx).await.map_err(map_err)?.is_none() {
            return Err(changed(id));
        }
        let seq = crate::next_number::<DB>(&mut tx, "article_reviews", "seq", "article_id", id).await?;
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO article_reviews (article_id, seq, version, step, author, at, body) ");
        q.push_values([r], |mut v, r| {
            v.push_bind(id.to_owned())
                .push_bind(seq)
                .push_bind(r.version)
                .push_bind(r.step.clone())
                .push_bind(r.author.clone())
                .push_bind(r.at.get())
                .push_bind(r.body.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn article(&self, id: &str) -> StoreResult<Option<ArticleRecord>> {
        self.fetch_by_key::<ArticleRow, _>(format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = "), id).await
    }

    async fn articles(&self, query: &ArticleQuery) -> StoreResult<Vec<ArticleRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE 1 = 1"));
        if let Some(s) = &query.state {
            q.push(" AND state = ").push_bind(s.clone());
        }
        if let Some(within) = &query.within {
            q.push(" AND ");
            crate::fragments::push_between(&mut q, "division_code", format!("{within:0<12}"), format!("{within:9<12}"));
        }
        if let Some(k) = &query.kind {
            q.push(" AND kind = ").push_bind(k.clone());
        }
        if let Some(t) = &query.tag {
            // Tags are JSON strings of letters, digits, '·', '-' and ' ' only
            // (shanzhi_domain::case::tag): the quoted tag is found as is.
            q.push(" AND tags LIKE ").push_bind(like_pattern(&format!("\"{t}\""))).push(" ESCAPE '\\'");
        }
        let places: Vec<&String> =
            query.places.iter().filter(|p| p.bytes().all(|b| b.is_ascii_digit())).take(16).collect();
        if !query.places.is_empty() {
            // Places are JSON strings of digits: the quoted code is found as is.
            q.push(" AND (1 = 0");
            for p in places {
                q.push(" OR places LIKE ").push_bind(like_pattern(&format!("\"{p}\""))).push(" ESCAPE '\\'");
            }
            q.push(")");
        }
        for w in &query.words {
            q.push(" AND search_text LIKE ").push_bind(like_pattern(w)).push(" ESCAPE '\\'");
        }
        q.push(" ORDER BY COALESCE(published_at, updated_at) DESC, id DESC LIMIT ");
        q.push_bind(i64::try_from(query.limit.clamp(1, 1000)).unwrap_or(1000));
        self.fetch_records::<ArticleRow, _>(&mut q).await
    }

    async fn article_versions(&self, id: &str) -> StoreResult<Vec<ArticleVersion>> {
        let mut q = QueryBuilder::<DB>::new(format!(
            "SELECT version, {CONTENT_COLUMNS}, saved_by, saved_at FROM article_versions WHERE article_id = "
        ));
        q.push_bind(id.to_owned()).push(" ORDER BY version LIMIT 10000");
        self.fetch_records::<VersionRow, _>(&mut q).await
    }

    async fn article_reviews(&self, id: &str) -> StoreResult<Vec<ArticleReview>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT seq, version, step, author, at, body FROM article_reviews WHERE article_id = ",
        );
        q.push_bind(id.to_owned()).push(" ORDER BY seq LIMIT 10000");
        self.fetch_records::<ReviewRow, _>(&mut q).await
    }
}
