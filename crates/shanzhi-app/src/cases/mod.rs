//! 善治成都, the case library: district and town editors write articles for
//! places in their scope (政策解读, 书记访谈, 案例展示, 创新经验); the city's
//! reviewers (社治委: a supervisor or administrator with a city-wide scope)
//! return them with a comment or publish them, and may withdraw them. Every
//! edit is a new version, kept. Published articles are public: listed,
//! searched (folded words, see [`shanzhi_domain::search::fold`]), fed as
//! Atom. Anything else is seen only by the editors and reviewers whose
//! scope covers it; to others it does not exist.

mod demo;
mod write;

use serde::{Deserialize, Serialize};
use shanzhi_domain::case::{ArticleKind, ArticleState, Link, markdown, query_words, tag};
use shanzhi_domain::{Action, CodeSystem, DivisionCode, DivisionLevel, Place, Scope};
use shanzhi_store::{ArticleQuery, ArticleRecord};

use crate::access::{Scoped, Via};
use crate::{AppError, AppResult};

pub use demo::DEMO_CASE_SOURCE;
pub use write::CaseForm;

/// Most articles one list shows.
pub const LIST_LIMIT: usize = 100;

/// A link to a record in Shanzhi, with where it is shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseLink {
    /// `proposal:ID` or `matter:ID`, as written.
    pub link: String,
    /// 议题：its title, or 事件 and its number.
    pub label: String,
    /// The page it is shown on.
    pub href: String,
}

/// A place an article is about.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePlace {
    pub code: String,
    pub name: String,
}

/// A photo of an article.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseImage {
    /// The attachment's id.
    pub id: String,
    /// Where it is shown (public once the article is).
    pub href: String,
}

/// A kept version (editors and reviewers only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseVersionView {
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub saved_by: String,
    pub saved_at: String,
}

/// A step of the review with its comment (editors and reviewers only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReviewView {
    pub version: i64,
    pub step: shanzhi_domain::case::Step,
    /// The step in words (提交审核, 退回修改, 发布, 撤下).
    pub step_name: String,
    pub author: String,
    pub at: String,
    pub comment: String,
}

/// An article as its reader sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub id: String,
    pub kind: ArticleKind,
    /// The column in words (政策解读 …).
    pub kind_name: String,
    pub state: ArticleState,
    pub state_name: String,
    /// The division it is written for, and its name.
    pub division: String,
    pub division_name: String,
    pub version: i64,
    pub title: String,
    pub summary: String,
    /// The body as written (the Markdown subset).
    pub body: String,
    /// The body rendered, every raw character escaped.
    pub body_html: String,
    pub tags: Vec<String>,
    pub places: Vec<CasePlace>,
    pub links: Vec<CaseLink>,
    /// Where it comes from, named.
    pub source: String,
    pub images: Vec<CaseImage>,
    pub updated_at: String,
    pub published_at: Option<String>,
    /// The caller may edit it now (an editor, in a draft or returned).
    pub may_edit: bool,
    /// The caller may submit it (an editor, in a draft or returned).
    pub may_submit: bool,
    /// The caller may review it (return, publish, withdraw).
    pub may_review: bool,
    /// Every version and review step (editors and reviewers only; empty for the public).
    pub versions: Vec<CaseVersionView>,
    pub reviews: Vec<CaseReviewView>,
}

/// What a public list asks for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CaseFilter {
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub q: Option<String>,
}

pub(crate) fn not_found() -> AppError {
    AppError::not_found("case_not_found", "文章不存在，或您无权查看", "no such article, or not yours to see")
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Scoped<'_> {
    /// An editor of articles for `division`?
    pub(crate) fn edits_for(&self, division: &DivisionCode) -> bool {
        self.actor.can(Action::EditCases, &Place::Division(division.clone()))
    }

    /// A reviewer of the case library: ReviewCases with a city-wide (or
    /// wider) scope covering `division`.
    pub(crate) fn reviews_for(&self, division: &DivisionCode) -> bool {
        let day = self.day();
        let place = Place::Division(division.clone());
        self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                g.term.contains(day)
                    && g.role.allows(Action::ReviewCases)
                    && matches!(&g.scope, Some(Scope::Division(d)) if d.level() <= DivisionLevel::City)
                    && g.scope.as_ref().is_some_and(|s| s.covers(&place))
            })
    }

    /// The article, if the caller may read it (published, or an editor or
    /// reviewer of its place).
    pub(crate) async fn readable_article(&self, id: &str) -> AppResult<(ArticleRecord, DivisionCode, bool)> {
        if id.is_empty() || id.len() > 64 {
            return Err(not_found());
        }
        let a = self.app.store.article(id).await?.ok_or_else(not_found)?;
        let division = DivisionCode::parse(&a.division).map_err(|_| AppError::internal("article division"))?;
        let staff = self.edits_for(&division) || self.reviews_for(&division);
        if a.state != ArticleState::Published.as_str() && !staff {
            return Err(not_found());
        }
        Ok((a, division, staff))
    }

    /// One article (`GET /cases/{id}`).
    pub async fn case(&self, id: &str) -> AppResult<CaseView> {
        let (a, division, staff) = self.readable_article(id).await?;
        self.case_view(a, &division, staff).await
    }

    /// A photo of an article the caller may read: its type and bytes.
    pub async fn case_image(&self, id: &str, image: &str) -> AppResult<(String, Vec<u8>)> {
        let (a, _, _) = self.readable_article(id).await?;
        if !json_list(&a.content.images).iter().any(|i| i == image) {
            return Err(not_found());
        }
        let (record, data) = self.app.store.attachment(image).await?.ok_or_else(not_found)?;
        Ok((record.content_type, data))
    }

    /// Published articles, newest first: by column, tag and words.
    pub async fn published_cases(&self, filter: &CaseFilter) -> AppResult<Vec<CaseView>> {
        let kind = match filter.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => {
                Some(k.parse::<ArticleKind>().map_err(|m| AppError::BadRequest { code: "invalid_kind", message: m })?)
            }
            None => None,
        };
        let tag = match filter.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(tag(t).map_err(|m| AppError::BadRequest { code: "invalid_tag", message: m })?),
            None => None,
        };
        let words = query_words(filter.q.as_deref().unwrap_or_default())
            .map_err(|m| AppError::BadRequest { code: "invalid_query", message: m })?;
        let query = ArticleQuery {
            state: Some(ArticleState::Published.as_str().to_owned()),
            kind: kind.map(|k| k.as_str().to_owned()),
            tag,
            words,
            limit: LIST_LIMIT,
            ..Default::default()
        };
        self.views(self.app.store.articles(&query).await?, false).await
    }

    /// What the caller works on: an editor's articles in their scopes, a
    /// reviewer's everything (those awaiting review first).
    pub async fn case_desk(&self) -> AppResult<Vec<CaseView>> {
        let day = self.day();
        let mut found: Vec<ArticleRecord> = Vec::new();
        let city_reviewer = self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                g.term.contains(day)
                    && g.role.allows(Action::ReviewCases)
                    && matches!(&g.scope, Some(Scope::Division(d)) if d.level() <= DivisionLevel::City)
            });
        let mut withins: Vec<String> = Vec::new();
        for g in &self.actor.grants {
            let Some(Scope::Division(d)) = &g.scope else { continue };
            if g.term.contains(day)
                && (g.role.allows(Action::EditCases) || (city_reviewer && g.role.allows(Action::ReviewCases)))
            {
                withins.push(d.significant().to_owned());
            }
        }
        if self.actor.via == Via::System {
            withins.push(String::new());
        }
        if withins.is_empty() {
            return Err(AppError::Forbidden(shanzhi_domain::text::Bilingual::new(
                "只有案例编辑和审核人员可以使用编辑台",
                "only case editors and reviewers have an editorial desk",
            )));
        }
        withins.sort();
        withins.dedup();
        for w in withins.iter().take(20) {
            let within = (!w.is_empty()).then(|| w.clone());
            let query = ArticleQuery { within, limit: LIST_LIMIT, ..Default::default() };
            for a in self.app.store.articles(&query).await? {
                if !found.iter().any(|f| f.id == a.id) {
                    found.push(a);
                }
            }
        }
        found.sort_by_key(|a| (a.state != ArticleState::Submitted.as_str(), std::cmp::Reverse(a.updated_at)));
        found.truncate(LIST_LIMIT);
        self.views(found, true).await
    }

    pub(crate) async fn views(&self, records: Vec<ArticleRecord>, staff: bool) -> AppResult<Vec<CaseView>> {
        let mut out = Vec::with_capacity(records.len());
        for a in records {
            let Ok(division) = DivisionCode::parse(&a.division) else { continue };
            let mut v = self.case_view(a, &division, staff).await?;
            v.body_html.clear();
            v.versions.clear();
            v.reviews.clear();
            out.push(v);
        }
        Ok(out)
    }

    async fn place_names(&self, codes: &[DivisionCode]) -> AppResult<Vec<CasePlace>> {
        let found = self.app.store.divisions(CodeSystem::Nbs2023, codes).await?;
        Ok(codes
            .iter()
            .map(|c| CasePlace {
                code: c.as_str().to_owned(),
                name: found.iter().find(|d| &d.code == c).map(|d| d.name.as_str().to_owned()).unwrap_or_default(),
            })
            .collect())
    }

    async fn case_view(&self, a: ArticleRecord, division: &DivisionCode, staff: bool) -> AppResult<CaseView> {
        let kind: ArticleKind = a.content.kind.parse().map_err(|_| AppError::internal("article kind"))?;
        let state: ArticleState = a.state.parse().map_err(|_| AppError::internal("article state"))?;
        let mut codes = vec![division.clone()];
        codes.extend(json_list(&a.content.places).iter().filter_map(|p| DivisionCode::parse(p).ok()));
        let mut names = self.place_names(&codes).await?;
        let own = names.remove(0);
        let mut links = Vec::new();
        for l in json_list(&a.content.links).iter().filter_map(|l| Link::parse(l).ok()) {
            links.push(self.case_link(&l).await?);
        }
        let editor = self.edits_for(division);
        let reviewer = self.reviews_for(division);
        let (mut versions, mut reviews) = (Vec::new(), Vec::new());
        if staff {
            for v in self.app.store.article_versions(&a.id).await? {
                versions.push(CaseVersionView {
                    version: v.version,
                    title: v.content.title,
                    summary: v.content.summary,
                    body: v.content.body,
                    saved_by: v.saved_by,
                    saved_at: v.saved_at.to_string(),
                });
            }
            for r in self.app.store.article_reviews(&a.id).await? {
                let step: shanzhi_domain::case::Step =
                    r.step.parse().map_err(|_| AppError::internal("article review step"))?;
                reviews.push(CaseReviewView {
                    version: r.version,
                    step,
                    step_name: step.label_zh().to_owned(),
                    author: r.author,
                    at: r.at.to_string(),
                    comment: r.body,
                });
            }
        }
        let images = json_list(&a.content.images)
            .into_iter()
            .map(|i| CaseImage { href: format!("/cases/{}/images/{i}", a.id), id: i })
            .collect();
        Ok(CaseView {
            id: a.id,
            kind,
            kind_name: kind.label_zh().to_owned(),
            state,
            state_name: state.label_zh().to_owned(),
            division: own.code,
            division_name: own.name,
            version: a.version,
            title: a.content.title,
            summary: a.content.summary,
            body_html: markdown::render(&a.content.body),
            body: a.content.body,
            tags: json_list(&a.content.tags),
            places: names,
            links,
            images,
            source: a.content.source,
            updated_at: a.updated_at.to_string(),
            published_at: a.published_at.map(|p| p.to_string()),
            may_edit: editor && state.is_editable(),
            may_submit: editor && state.is_editable(),
            may_review: reviewer && matches!(state, ArticleState::Submitted | ArticleState::Published),
            versions,
            reviews,
        })
    }

    async fn case_link(&self, l: &Link) -> AppResult<CaseLink> {
        let (label, href) = match l {
            Link::Proposal(id) => {
                let (community, title) =
                    self.app.store.proposal(id).await?.map(|p| (p.community, p.title)).unwrap_or_default();
                (format!("议题：{title}"), format!("/c/{community}/p/{id}"))
            }
            Link::Matter(id) => (format!("事件 {id}"), format!("/m/{id}")),
            Link::Ranking(id) => ranking_label_href(id),
        };
        Ok(CaseLink { link: l.to_string(), label, href })
    }

    /// Whether the 口碑榜 a ranking link names was published.
    pub(crate) async fn ranking_published(&self, id: &str) -> AppResult<bool> {
        let Some((period, by, within)) = shanzhi_domain::case::ranking_parts(id) else { return Ok(false) };
        let scope = within.unwrap_or_else(crate::figures::city);
        let found = self.app.store.published_ranking(&period.to_string(), by.as_str(), scope.as_str()).await?;
        Ok(found.is_some())
    }
}

/// A published 口碑榜's words and its page.
fn ranking_label_href(id: &str) -> (String, String) {
    match shanzhi_domain::case::ranking_parts(id) {
        Some((period, by, within)) => {
            let mut href = format!("/rankings?period={period}&by={}", by.as_str());
            if let Some(w) = &within {
                href.push_str(&format!("&within={}", w.significant()));
            }
            (format!("口碑榜：{period} {}", by.label_zh()), href)
        }
        None => (format!("口碑榜 {id}"), "/rankings".to_owned()),
    }
}
