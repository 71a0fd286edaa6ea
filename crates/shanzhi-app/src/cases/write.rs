//! Writing and reviewing: an editor creates and edits (each edit a new
//! version) and submits; a reviewer returns with a comment, publishes, or
//! withdraws. Everything is checked before anything is written: a refused
//! request changes nothing.

use serde::Deserialize;
use shanzhi_domain::case::{
    ArticleKind, ArticleState, Link, MAX_BODY, MAX_COMMENT, MAX_IMAGES, MAX_LINKS, MAX_PLACES, MAX_SOURCE, MAX_SUMMARY,
    MAX_TAGS, MAX_TITLE, Step, tag,
};
use shanzhi_domain::search::search_text;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{CodeSystem, DivisionCode, MatterId};
use shanzhi_store::{ArticleContent, ArticleRecord, ArticleReview, StoreError};

use super::CaseView;
use crate::access::{Scoped, refuse};
use crate::deliberation::text;
use crate::{AppError, AppResult};

/// What an editor writes.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseForm {
    pub kind: ArticleKind,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub summary: String,
    /// The body in the Markdown subset (`## `, `- `, `> `, `**bold**`, `[text](url)`).
    #[cfg_attr(feature = "openapi", schema(max_length = 20000))]
    pub body: String,
    /// Tags such as 五线工作法, 双线融合, 院落治理, 场景营造 (at most 8).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 8))]
    pub tags: Vec<String>,
    /// Division codes of the places it is about (at most 8).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 8))]
    pub places: Vec<String>,
    /// `proposal:ID` or `matter:ID` (at most 8).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 8))]
    pub links: Vec<String>,
    /// Where it comes from, named (a column, an interview, a report).
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub source: String,
    /// Photos: ids of one's own uploads (`POST /api/v1/attachments`, checked
    /// as matters' photos are) or of the article's photos already (at most 6).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    pub images: Vec<String>,
}

fn bad(code: &'static str, m: Bilingual) -> AppError {
    AppError::BadRequest { code, message: m }
}

fn too_many(what: (&str, &str), max: usize) -> AppError {
    AppError::bad_request("too_many", format!("{}最多 {max} 个", what.0), format!("at most {max} {}", what.1))
}

fn changed() -> AppError {
    crate::deliberation::conflict(
        "case_changed",
        "文章刚被他人更新，请刷新后重试",
        "the article changed meanwhile: reload and retry",
    )
}

fn state_refusal(m: Bilingual) -> AppError {
    crate::deliberation::conflict("case_state", &m.zh, &m.en)
}

impl Scoped<'_> {
    /// Photos named by a form (an article, a milestone): the caller's own
    /// uploads not attached to a matter (checked as matters' photos are), or
    /// photos the record has already (`kept`); at most 6.
    pub(crate) async fn checked_images(&self, named: &[String], kept: &[String]) -> AppResult<Vec<String>> {
        if named.len() > MAX_IMAGES {
            return Err(too_many(("图片", "images"), MAX_IMAGES));
        }
        let mut images = Vec::new();
        for id in named.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            let ok = kept.iter().any(|k| k == id)
                || (id.len() <= 64
                    && self.app.store.attachment(id).await?.is_some_and(|(a, _)| {
                        a.matter_id.is_none()
                            && a.uploaded_by == self.actor.name
                            && a.content_type.starts_with("image/")
                    }));
            if !ok {
                return Err(AppError::bad_request(
                    "unknown_attachment",
                    format!("图片 {id} 不存在或不可用"),
                    format!("image {id} does not exist or is not yours"),
                ));
            }
            if !images.iter().any(|i| i == id) {
                images.push(id.to_owned());
            }
        }
        Ok(images)
    }

    /// The form checked whole: the content to store and its search text.
    async fn checked(&self, f: &CaseForm, kept_images: &[String]) -> AppResult<(ArticleContent, String)> {
        let title = text(("标题", "title"), &f.title, MAX_TITLE)?;
        let summary = text(("摘要", "summary"), &f.summary, MAX_SUMMARY)?;
        let body = text(("正文", "body"), &f.body, MAX_BODY)?;
        let source = text(("来源", "source"), &f.source, MAX_SOURCE)?;
        if f.tags.len() > MAX_TAGS {
            return Err(too_many(("标签", "tags"), MAX_TAGS));
        }
        if f.places.len() > MAX_PLACES {
            return Err(too_many(("地点", "places"), MAX_PLACES));
        }
        if f.links.len() > MAX_LINKS {
            return Err(too_many(("关联", "links"), MAX_LINKS));
        }
        let mut tags = Vec::new();
        for t in f.tags.iter().filter(|t| !t.trim().is_empty()) {
            let t = tag(t).map_err(|m| bad("invalid_tag", m))?;
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut places: Vec<DivisionCode> = Vec::new();
        for p in f.places.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let code = DivisionCode::parse(p).map_err(|e| bad("invalid_place", e.message(p)))?;
            if !places.contains(&code) {
                places.push(code);
            }
        }
        let known = self.app.store.divisions(CodeSystem::Nbs2023, &places).await?;
        if let Some(missing) = places.iter().find(|p| !known.iter().any(|d| &d.code == *p)) {
            return Err(AppError::bad_request(
                "unknown_place",
                format!("没有代码为 {missing} 的区划"),
                format!("no division has the code {missing}"),
            ));
        }
        let mut links = Vec::new();
        for l in f.links.iter().filter(|l| !l.trim().is_empty()) {
            let link = Link::parse(l).map_err(|m| bad("invalid_link", m))?;
            let exists = match &link {
                Link::Proposal(id) => self.app.store.proposal(id).await?.is_some(),
                Link::Matter(id) => match MatterId::parse(id) {
                    Ok(m) => self.app.store.matter(&m).await?.is_some(),
                    Err(_) => false,
                },
                Link::Ranking(id) => self.ranking_published(id).await?,
            };
            if !exists {
                return Err(AppError::bad_request(
                    "unknown_link",
                    format!("关联的记录 {link} 不存在"),
                    format!("the linked record {link} does not exist"),
                ));
            }
            if !links.contains(&link.to_string()) {
                links.push(link.to_string());
            }
        }
        let json = |v: Vec<String>| serde_json::to_string(&v).map_err(|e| AppError::internal(e.to_string()));
        let search =
            search_text([Some(title.as_str()), Some(summary.as_str()), Some(body.as_str()), Some(&tags.join(" "))]);
        let content = ArticleContent {
            kind: f.kind.as_str().to_owned(),
            title,
            summary,
            body,
            tags: json(tags)?,
            places: json(places.iter().map(|p| p.as_str().to_owned()).collect())?,
            links: json(links)?,
            source,
            images: json(self.checked_images(&f.images, kept_images).await?)?,
        };
        Ok((content, search))
    }

    /// A new draft for `division` (in the editor's scope).
    pub async fn create_case(&self, division: &str, f: &CaseForm) -> AppResult<CaseView> {
        let d = division.trim();
        let code = DivisionCode::parse(d).map_err(|e| bad("invalid_division", e.message(d)))?;
        if !self.edits_for(&code) {
            return Err(refuse(shanzhi_domain::Action::EditCases));
        }
        if self.app.store.division(CodeSystem::Nbs2023, &code).await?.is_none() {
            return Err(AppError::bad_request(
                "unknown_division",
                format!("没有代码为 {d} 的区划"),
                format!("no division has the code {d}"),
            ));
        }
        let (content, search) = self.checked(f, &[]).await?;
        let now = self.app.now_micros();
        let record = ArticleRecord {
            id: uuid::Uuid::now_v7().to_string(),
            division: code.as_str().to_owned(),
            author: self.actor.name.clone(),
            state: ArticleState::Draft.as_str().to_owned(),
            version: 1,
            content,
            search_text: search,
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        self.app.store.create_article(&record, &self.actor.name).await?;
        self.case(&record.id).await
    }

    /// A new version of a draft or returned article, from `version` (the one read).
    pub async fn edit_case(&self, id: &str, version: i64, f: &CaseForm) -> AppResult<CaseView> {
        let (a, division, _) = self.readable_article(id).await?;
        if !self.edits_for(&division) {
            return Err(refuse(shanzhi_domain::Action::EditCases));
        }
        let state: ArticleState = a.state.parse().map_err(|_| AppError::internal("article state"))?;
        if !state.is_editable() {
            return Err(state_refusal(Bilingual::new(
                format!("文章{}，不能修改", state.label_zh()),
                format!("the article is {}; it cannot be edited", state.label_en().to_lowercase()),
            )));
        }
        let kept: Vec<String> = serde_json::from_str(&a.content.images).unwrap_or_default();
        let (content, search) = self.checked(f, &kept).await?;
        let now = self.app.now_micros();
        match self.app.store.save_article_version(id, version, &content, &search, &self.actor.name, now).await {
            Ok(_) => self.case(id).await,
            Err(StoreError::Constraint(_)) => Err(changed()),
            Err(e) => Err(e.into()),
        }
    }

    /// A step of the review on `version` (the one read); a return needs a comment.
    pub async fn case_step(&self, id: &str, step: Step, version: i64, comment: &str) -> AppResult<CaseView> {
        let (a, division, _) = self.readable_article(id).await?;
        let allowed = if step.is_review() { self.reviews_for(&division) } else { self.edits_for(&division) };
        if !allowed {
            return Err(AppError::Forbidden(if step.is_review() {
                Bilingual::new(
                    "只有市级审核人员（社治委）可以审核文章",
                    "only the city's reviewers may review articles",
                )
            } else {
                Bilingual::new("只有本辖区的案例编辑可以提交文章", "only the place's case editors may submit articles")
            }));
        }
        let comment = if step.needs_comment() || !comment.trim().is_empty() {
            text(("意见", "comment"), comment, MAX_COMMENT)?
        } else {
            String::new()
        };
        let from: ArticleState = a.state.parse().map_err(|_| AppError::internal("article state"))?;
        let to = from.after(step).map_err(state_refusal)?;
        if version != a.version {
            return Err(changed());
        }
        let review = ArticleReview {
            seq: 0,
            version,
            step: step.as_str().to_owned(),
            author: self.actor.name.clone(),
            at: self.app.now_micros(),
            body: comment,
        };
        match self.app.store.review_article(id, from.as_str(), to.as_str(), &review).await {
            Ok(()) => self.case(id).await,
            Err(StoreError::Constraint(_)) => Err(changed()),
            Err(e) => Err(e.into()),
        }
    }
}

impl From<&CaseView> for CaseForm {
    /// The form as the article now reads (to edit it).
    fn from(v: &CaseView) -> CaseForm {
        CaseForm {
            kind: v.kind,
            title: v.title.clone(),
            summary: v.summary.clone(),
            body: v.body.clone(),
            tags: v.tags.clone(),
            places: v.places.iter().map(|p| p.code.clone()).collect(),
            links: v.links.iter().map(|l| l.link.clone()).collect(),
            source: v.source.clone(),
            images: v.images.iter().map(|i| i.id.clone()).collect(),
        }
    }
}
