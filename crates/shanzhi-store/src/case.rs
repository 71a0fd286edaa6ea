//! 善治成都 storage: articles with their current version, every version
//! kept whole, and the review's steps with their comments. The rules (who
//! may, which step comes next) are the domain's and the application's; the
//! store moves an article on only from the version and state it was read
//! at, each change in one transaction with what it records.

use async_trait::async_trait;
use shanzhi_domain::Micros;

use crate::StoreResult;

/// What an editor writes, as stored (tags, places, links, images as JSON lists of text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleContent {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tags: String,
    pub places: String,
    pub links: String,
    pub source: String,
    /// Attachment ids of its photos.
    pub images: String,
}

/// An article with its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRecord {
    pub id: String,
    /// The division it is written for (the editor's scope covers it).
    pub division: String,
    pub author: String,
    pub state: String,
    pub version: i64,
    pub content: ArticleContent,
    /// Folded text of title, summary, body and tags (searched with LIKE).
    pub search_text: String,
    pub created_at: Micros,
    pub updated_at: Micros,
    pub published_at: Option<Micros>,
}

/// A version as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleVersion {
    pub version: i64,
    pub content: ArticleContent,
    pub saved_by: String,
    pub saved_at: Micros,
}

/// A step of the review, taken on `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleReview {
    pub seq: i64,
    pub version: i64,
    pub step: String,
    pub author: String,
    pub at: Micros,
    pub body: String,
}

/// Which articles to list, newest first (published ones by publication).
#[derive(Debug, Clone, Default)]
pub struct ArticleQuery {
    pub state: Option<String>,
    /// Significant digits of a division: articles written for its subtree.
    pub within: Option<String>,
    pub kind: Option<String>,
    /// A tag the article carries.
    pub tag: Option<String>,
    /// Division codes (12 digits): the article is about one of them (its
    /// places hold it). At most 16 are used.
    pub places: Vec<String>,
    /// Folded words, each held by the search text.
    pub words: Vec<String>,
    pub limit: usize,
}

#[async_trait]
pub trait CaseStore: Send + Sync {
    /// A new article and its first version (`record.version` is 1).
    async fn create_article(&self, record: &ArticleRecord, saved_by: &str) -> StoreResult<()>;

    /// A new version: applied only if the article is still at
    /// `expected_version` and in an editable state (draft, returned).
    async fn save_article_version(
        &self,
        id: &str,
        expected_version: i64,
        content: &ArticleContent,
        search_text: &str,
        saved_by: &str,
        at: Micros,
    ) -> StoreResult<i64>;

    /// A step of the review: the article moves from `from` to `to` only if it
    /// is still at `review.version` and in `from`; the step is recorded with it.
    async fn review_article(&self, id: &str, from: &str, to: &str, review: &ArticleReview) -> StoreResult<()>;

    async fn article(&self, id: &str) -> StoreResult<Option<ArticleRecord>>;

    async fn articles(&self, query: &ArticleQuery) -> StoreResult<Vec<ArticleRecord>>;

    /// Every version, oldest first.
    async fn article_versions(&self, id: &str) -> StoreResult<Vec<ArticleVersion>>;

    /// Every step of the review, in order.
    async fn article_reviews(&self, id: &str) -> StoreResult<Vec<ArticleReview>>;
}
