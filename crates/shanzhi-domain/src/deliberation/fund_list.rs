//! The fund's negative and priority lists (负面清单 / 优先清单): what the
//! community fund may never pay for, and what it pays for first. The city's
//! lists ship here as data; a community adds its own items. An item is a
//! name people read and the words that show a proposal is about it.

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

/// One item of a list: its name and the words that hit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// 项目名称，如“吃喝招待” / the item as people read it.
    pub name: String,
    /// 命中该项的词语 / words that show a proposal is about it.
    pub keywords: Vec<String>,
}

/// A negative list and a priority list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FundLists {
    /// 负面清单：资金不得用于 / what the fund may never pay for.
    #[serde(default)]
    pub negative: Vec<ListItem>,
    /// 优先清单：资金优先用于 / what the fund pays for first.
    #[serde(default)]
    pub priority: Vec<ListItem>,
}

/// Most items a community's list may have.
pub const MAX_ITEMS: usize = 50;
/// Most words an item may have.
pub const MAX_KEYWORDS: usize = 20;
/// Longest item name (characters).
pub const MAX_NAME: usize = 40;
/// Longest word (characters).
pub const MAX_KEYWORD: usize = 20;

fn item(name: &str, keywords: &[&str]) -> ListItem {
    ListItem { name: name.to_owned(), keywords: keywords.iter().map(|k| (*k).to_owned()).collect() }
}

/// The city's lists (成都市城乡社区发展治理专项保障资金): no private costs,
/// nothing another party must pay for, no government duties or salaries
/// (办事不养人), no banquets, cars or profit-making; first Party service to
/// the masses, residents' capacity, volunteering, the environment and
/// community-building (总体营造).
pub fn city() -> FundLists {
    FundLists {
        negative: vec![
            item("人员工资福利", &["工资", "福利待遇", "奖金", "津贴", "人员经费"]),
            item("吃喝招待", &["吃喝", "招待", "宴请", "聚餐", "请客"]),
            item("购置车辆", &["购置车辆", "购车", "买车", "公务用车"]),
            item("营利性项目", &["营利", "盈利", "经营性", "投资理财"]),
            item("个人私人费用（如物业费）", &["物业费", "个人费用", "私人费用", "家庭开支"]),
            item("有其他责任主体的事项（如公房维修）", &["公房维修", "公房修缮", "直管公房"]),
            item("政府部门职责事项", &["行政经费", "部门职责", "政府工作经费"]),
        ],
        priority: vec![
            item("党组织服务群众", &["党群服务", "服务群众", "党建"]),
            item("居民能力提升", &["居民培训", "技能培训", "能力提升", "居民学堂"]),
            item("志愿服务", &["志愿"]),
            item("环境整治", &["环境整治", "环境卫生", "垃圾分类", "绿化", "清洁"]),
            item("社区营造", &["社区营造", "总体营造", "微更新", "小游园"]),
        ],
    }
}

fn words_ok(s: &str, max: usize) -> bool {
    let n = s.trim().chars().count();
    (1..=max).contains(&n) && !s.chars().any(char::is_control) && s.trim() == s
}

fn check_list(which: (&str, &str), items: &[ListItem], errors: &mut Vec<Bilingual>) {
    if items.len() > MAX_ITEMS {
        errors.push(Bilingual::new(
            format!("{}最多 {MAX_ITEMS} 项", which.0),
            format!("the {} has at most {MAX_ITEMS} items", which.1),
        ));
    }
    for (i, it) in items.iter().enumerate().take(MAX_ITEMS) {
        let n = i + 1;
        if !words_ok(&it.name, MAX_NAME) {
            errors.push(Bilingual::new(
                format!("{}第 {n} 项的名称应为 1–{MAX_NAME} 个字", which.0),
                format!("item {n} of the {}: the name must be 1–{MAX_NAME} characters", which.1),
            ));
        }
        if it.keywords.is_empty() || it.keywords.len() > MAX_KEYWORDS {
            errors.push(Bilingual::new(
                format!("{}第 {n} 项应有 1–{MAX_KEYWORDS} 个词语", which.0),
                format!("item {n} of the {}: give 1–{MAX_KEYWORDS} words", which.1),
            ));
        }
        if it.keywords.iter().take(MAX_KEYWORDS).any(|k| !words_ok(k, MAX_KEYWORD)) {
            errors.push(Bilingual::new(
                format!("{}第 {n} 项的词语应为 1–{MAX_KEYWORD} 个字，首尾无空格", which.0),
                format!("item {n} of the {}: each word is 1–{MAX_KEYWORD} characters, not padded", which.1),
            ));
        }
    }
}

fn hit<'a>(items: &'a [ListItem], text: &str) -> Option<&'a ListItem> {
    items.iter().find(|it| it.keywords.iter().any(|k| !k.is_empty() && text.contains(k.as_str())))
}

impl FundLists {
    /// Are these lists a community may keep? Every problem found.
    pub fn validate(&self) -> Result<(), Vec<Bilingual>> {
        let mut errors = Vec::new();
        check_list(("负面清单", "negative list"), &self.negative, &mut errors);
        check_list(("优先清单", "priority list"), &self.priority, &mut errors);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The lists in force: the city's items, then the community's own.
    pub fn in_force(own: &FundLists) -> FundLists {
        let mut lists = city();
        lists.negative.extend(own.negative.iter().cloned());
        lists.priority.extend(own.priority.iter().cloned());
        lists
    }

    /// The first negative item `text` hits.
    pub fn forbidden(&self, text: &str) -> Option<&ListItem> {
        hit(&self.negative, text)
    }

    /// The first priority item `text` hits.
    pub fn priority_of(&self, text: &str) -> Option<&ListItem> {
        hit(&self.priority, text)
    }

    /// Why a proposal hitting `item` is refused, naming the item.
    pub fn refusal(item: &ListItem) -> Bilingual {
        Bilingual::new(
            format!("该事项属于社区保障激励资金负面清单中的“{}”，资金不得用于此类事项", item.name),
            format!(
                "this falls under '{}' on the community fund's negative list: the fund may not pay for it",
                item.name
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_lists_are_valid_and_hit_by_their_words() {
        let city = city();
        assert_eq!(city.validate(), Ok(()));
        assert_eq!(city.forbidden("年底社区干部聚餐").map(|i| i.name.as_str()), Some("吃喝招待"));
        assert_eq!(city.forbidden("为居委会购置车辆一辆").map(|i| i.name.as_str()), Some("购置车辆"));
        assert_eq!(city.forbidden("楼道照明改造"), None);
        assert_eq!(city.priority_of("开展垃圾分类志愿活动").map(|i| i.name.as_str()), Some("志愿服务"));
        assert_eq!(city.priority_of("楼道照明改造"), None);
    }

    #[test]
    fn a_communitys_items_come_after_the_citys_and_are_checked_whole() {
        let own = FundLists {
            negative: vec![item("商业广告", &["广告"])],
            priority: vec![item("适老化", &["加装电梯"])],
        };
        let lists = FundLists::in_force(&own);
        assert_eq!(lists.forbidden("小区门口商业广告牌").map(|i| i.name.as_str()), Some("商业广告"));
        assert_eq!(lists.priority_of("老旧院落加装电梯").map(|i| i.name.as_str()), Some("适老化"));
        assert!(lists.forbidden("加装电梯").is_none());
        let bad = FundLists {
            negative: vec![item("", &["x"]), item("好名字", &[]), item("词", &[" 空格"])],
            priority: (0..=MAX_ITEMS).map(|i| item(&format!("项{i}"), &["词"])).collect(),
        };
        let errors = bad.validate().expect_err("refused");
        assert_eq!(errors.len(), 4, "every problem at once: {errors:?}");
        assert!(FundLists::refusal(&city().negative[1]).zh.contains("吃喝招待"));
    }
}
