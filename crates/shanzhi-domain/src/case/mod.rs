//! 善治成都: the case library. Articles of four kinds (政策解读, 书记访谈,
//! 案例展示, 创新经验) written by district and town editors, reviewed by the
//! city (社治委) and published. Every edit is a new version, kept; a review
//! returns a version with a comment or publishes it. The body is a small
//! Markdown subset ([`markdown::render`]) with every raw character escaped.

pub mod markdown;

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

/// Longest title, summary, body, source and review comment (characters).
pub const MAX_TITLE: usize = 100;
pub const MAX_SUMMARY: usize = 300;
pub const MAX_BODY: usize = 20_000;
pub const MAX_SOURCE: usize = 200;
pub const MAX_COMMENT: usize = 2_000;
/// At most this many tags (each at most [`MAX_TAG`] characters), places and links.
pub const MAX_TAGS: usize = 8;
pub const MAX_TAG: usize = 20;
pub const MAX_PLACES: usize = 8;
pub const MAX_LINKS: usize = 8;
/// At most this many photos in an article.
pub const MAX_IMAGES: usize = 6;
/// Longest search query (characters) and most words in it.
pub const MAX_QUERY: usize = 50;
pub const MAX_QUERY_WORDS: usize = 5;

crate::code_enum! {
    /// The four columns of 《善治成都》.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ArticleKind {
        Policy => "policy", "政策解读";
        Interview => "interview", "书记访谈";
        Case => "case", "案例展示";
        Innovation => "innovation", "创新经验";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(
            format!("未知栏目“{s}”，应为政策解读、书记访谈、案例展示或创新经验"),
            format!("unknown kind '{s}', expected policy, interview, case or innovation"),
        )
    }
}

impl ArticleKind {
    pub fn label_en(self) -> &'static str {
        match self {
            ArticleKind::Policy => "Policy explained",
            ArticleKind::Interview => "Interview",
            ArticleKind::Case => "Case",
            ArticleKind::Innovation => "Innovation",
        }
    }
}

crate::code_enum! {
    /// Where an article stands in the editorial review.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ArticleState {
        Draft => "draft", "草稿";
        Submitted => "submitted", "待审核";
        Returned => "returned", "退回修改";
        Published => "published", "已发布";
        Withdrawn => "withdrawn", "已撤下";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知状态“{s}”"), format!("unknown state '{s}'"))
    }
}

impl ArticleState {
    pub fn label_en(self) -> &'static str {
        match self {
            ArticleState::Draft => "Draft",
            ArticleState::Submitted => "Awaiting review",
            ArticleState::Returned => "Returned for changes",
            ArticleState::Published => "Published",
            ArticleState::Withdrawn => "Withdrawn",
        }
    }

    /// May its editor change it? A draft or a returned article only.
    pub fn is_editable(self) -> bool {
        matches!(self, ArticleState::Draft | ArticleState::Returned)
    }

    /// The state after `step`, or why not.
    pub fn after(self, step: Step) -> Result<ArticleState, Bilingual> {
        use ArticleState::*;
        let next = match (step, self) {
            (Step::Submit, Draft | Returned) => Submitted,
            (Step::Return, Submitted) => Returned,
            (Step::Publish, Submitted) => Published,
            (Step::Withdraw, Published) => Withdrawn,
            _ => {
                return Err(Bilingual::new(
                    format!("文章{}，不能{}", self.label_zh(), step.label_zh()),
                    format!("the article is {}; it cannot be {}", self.label_en().to_lowercase(), step.past_en()),
                ));
            }
        };
        Ok(next)
    }
}

crate::code_enum! {
    /// A step of the review: the editor submits, the reviewer returns or
    /// publishes, and may withdraw what was published.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    // Named apart from a work method's `Step`: one schema name, one type.
    #[cfg_attr(feature = "openapi", schema(as = CaseStep))]
    #[serde(rename_all = "snake_case")]
    pub enum Step {
        Submit => "submit", "提交审核";
        Return => "return", "退回修改";
        Publish => "publish", "发布";
        Withdraw => "withdraw", "撤下";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知操作“{s}”"), format!("unknown step '{s}'"))
    }
}

impl Step {
    fn past_en(self) -> &'static str {
        match self {
            Step::Submit => "submitted",
            Step::Return => "returned",
            Step::Publish => "published",
            Step::Withdraw => "withdrawn",
        }
    }

    /// The reviewer's steps (the editor's is submitting).
    pub fn is_review(self) -> bool {
        self != Step::Submit
    }

    /// A return says why, always.
    pub fn needs_comment(self) -> bool {
        self == Step::Return
    }
}

/// A link from an article to a record in Shanzhi.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Link {
    Proposal(String),
    Matter(String),
    /// A published 口碑榜: `PERIOD:BY` (city-wide) or `PERIOD:BY:WITHIN`,
    /// e.g. `2026-10:district` or `2026-10:community:510104`.
    Ranking(String),
}

/// A ranking link's parts: its month, its unit type and the division it
/// ranks within (none: the whole city).
pub fn ranking_parts(
    id: &str,
) -> Option<(crate::indicators::Period, crate::indicators::UnitKind, Option<crate::DivisionCode>)> {
    let mut parts = id.split(':');
    let period = crate::indicators::Period::parse(parts.next()?).ok()?;
    if period.kind != crate::indicators::PeriodKind::Month {
        return None;
    }
    let by = parts.next()?.parse::<crate::indicators::UnitKind>().ok()?;
    let within = match parts.next() {
        Some(code) => Some(crate::DivisionCode::parse(code).ok()?),
        None => None,
    };
    parts.next().is_none().then_some((period, by, within))
}

impl Link {
    /// `proposal:ID` or `matter:ID` (an ID is 1–64 letters, digits or `-`),
    /// or `ranking:MONTH:BY[:WITHIN]` (a published 口碑榜).
    pub fn parse(text: &str) -> Result<Link, Bilingual> {
        let t = text.trim();
        let bad = || {
            Bilingual::new(
                format!("关联“{t}”应写作 proposal:议题ID、matter:事件ID 或 ranking:月份:单位类型[:区划代码]"),
                format!("a link '{t}' must read proposal:ID, matter:ID or ranking:MONTH:BY[:WITHIN]"),
            )
        };
        let (kind, id) = t.split_once(':').ok_or_else(bad)?;
        if kind == "ranking" {
            return match ranking_parts(id) {
                Some(_) if id.len() <= 64 => Ok(Link::Ranking(id.to_owned())),
                _ => Err(bad()),
            };
        }
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(bad());
        }
        match kind {
            "proposal" => Ok(Link::Proposal(id.to_owned())),
            "matter" => Ok(Link::Matter(id.to_owned())),
            _ => Err(bad()),
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Link::Proposal(id) | Link::Matter(id) | Link::Ranking(id) => id,
        }
    }

    pub fn kind_str(&self) -> &'static str {
        match self {
            Link::Proposal(_) => "proposal",
            Link::Matter(_) => "matter",
            Link::Ranking(_) => "ranking",
        }
    }
}

impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind_str(), self.id())
    }
}

/// A tag as given: trimmed, 1–[`MAX_TAG`] characters, letters, digits,
/// CJK and `·-_ ` only (tags are filter values in links and the store's LIKE).
pub fn tag(text: &str) -> Result<String, Bilingual> {
    let t = text.trim();
    let n = t.chars().count();
    let ok = (1..=MAX_TAG).contains(&n) && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '·' | '-' | ' '));
    if ok {
        return Ok(t.to_owned());
    }
    Err(Bilingual::new(
        format!("标签“{t}”应为 1–{MAX_TAG} 个字（文字、数字、·、-）"),
        format!("a tag '{t}' must be 1–{MAX_TAG} letters, digits, '·' or '-'"),
    ))
}

/// A search query: folded ([`crate::search::fold`]), split at white space,
/// at most [`MAX_QUERY`] characters and [`MAX_QUERY_WORDS`] words; empty
/// words dropped (none: nothing to search for).
pub fn query_words(q: &str) -> Result<Vec<String>, Bilingual> {
    let q = q.trim();
    if q.chars().count() > MAX_QUERY {
        return Err(Bilingual::new(
            format!("搜索词最多 {MAX_QUERY} 个字"),
            format!("a search is at most {MAX_QUERY} characters"),
        ));
    }
    let words: Vec<String> = crate::search::fold(q).split_whitespace().map(str::to_owned).collect();
    if words.len() > MAX_QUERY_WORDS {
        return Err(Bilingual::new(
            format!("搜索词最多 {MAX_QUERY_WORDS} 个"),
            format!("a search has at most {MAX_QUERY_WORDS} words"),
        ));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_goes_draft_submitted_returned_or_published_then_withdrawn() {
        use ArticleState::*;
        assert_eq!(Draft.after(Step::Submit), Ok(Submitted));
        assert_eq!(Submitted.after(Step::Return), Ok(Returned));
        assert_eq!(Returned.after(Step::Submit), Ok(Submitted));
        assert_eq!(Submitted.after(Step::Publish), Ok(Published));
        assert_eq!(Published.after(Step::Withdraw), Ok(Withdrawn));
        assert!(Draft.after(Step::Publish).is_err(), "no publishing unreviewed");
        assert!(Published.after(Step::Submit).is_err());
        assert!(Withdrawn.after(Step::Publish).is_err());
        assert!(Draft.is_editable() && Returned.is_editable());
        assert!(!Submitted.is_editable() && !Published.is_editable());
    }

    #[test]
    fn links_tags_and_queries_parse_bounded() {
        assert_eq!(Link::parse(" proposal:abc-1 "), Ok(Link::Proposal("abc-1".to_owned())));
        assert_eq!(Link::parse("matter:510104").map(|l| l.to_string()), Ok("matter:510104".to_owned()));
        assert!(Link::parse("figure:1").is_err());
        assert_eq!(Link::parse("ranking:2026-10:district"), Ok(Link::Ranking("2026-10:district".to_owned())));
        assert_eq!(
            Link::parse("ranking:2026-10:community:510104").map(|l| l.to_string()),
            Ok("ranking:2026-10:community:510104".to_owned())
        );
        for bad in [
            "ranking:2026-13:district",
            "ranking:2026-10",
            "ranking:2026-10:street",
            "ranking:2026-10:town:51x",
            "ranking:2026-10:town:510104:1",
            "ranking:2026-10-01:district",
        ] {
            assert!(Link::parse(bad).is_err(), "{bad}");
        }
        assert!(Link::parse("matter:a b").is_err());
        assert!(Link::parse("matter:").is_err());
        assert_eq!(tag(" 五线工作法 "), Ok("五线工作法".to_owned()));
        assert!(tag("%").is_err());
        assert!(tag(&"长".repeat(MAX_TAG + 1)).is_err());
        assert_eq!(query_words(" 院落  ＡＢ "), Ok(vec!["院落".to_owned(), "ab".to_owned()]));
        assert!(query_words(&"字".repeat(MAX_QUERY + 1)).is_err());
        assert!(query_words("a b c d e f").is_err());
    }
}
