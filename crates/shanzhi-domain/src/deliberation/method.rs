//! Work methods as data (议事规则): an ordered set of steps, each with the
//! body that acts, the artefacts it must leave, whether it is publicly
//! noticed (公示) and for how many working days, and its time limit. The
//! five-step method (五步工作法) and 四议两公开 ship with Shanzhi; a
//! community defines its own (五线工作法, an estate's rules) in the same shape,
//! without code.

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

crate::code_enum! {
    /// Who acts at a step.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Body {
        /// 社区党组织 (the Party organisation of the community).
        Party => "party", "社区党组织";
        /// 居民议事会 / 院落议事会 (the residents' council).
        Council => "council", "居民议事会";
        /// 居民委员会 (the residents' committee).
        Committee => "committee", "居民委员会";
        /// 居务监督委员会 (the supervisory committee).
        Supervisory => "supervisory", "居务监督委员会";
        /// Every resident of the community (a poll, a meeting of all).
        Residents => "residents", "全体居民";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的议事主体“{s}”"), format!("unknown acting body '{s}'"))
    }
}

impl Body {
    pub fn label_en(self) -> &'static str {
        match self {
            Body::Party => "Party organisation",
            Body::Council => "Residents' council",
            Body::Committee => "Residents' committee",
            Body::Supervisory => "Supervisory committee",
            Body::Residents => "All residents",
        }
    }
}

crate::code_enum! {
    /// What a step must leave on the record before it is done.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Artefact {
        Minutes => "minutes", "会议记录";
        Attendance => "attendance", "签到表";
        VoteRecord => "vote_record", "表决记录";
        Contract => "contract", "合同";
        Invoice => "invoice", "发票";
        Photos => "photos", "现场照片";
        Survey => "survey", "满意度测评";
        Opinion => "opinion", "监督意见";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(format!("未知的材料类型“{s}”"), format!("unknown artefact '{s}'"))
    }
}

/// One step of a method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// Short key, unique within the method (`propose`, `decide` …).
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub body: Body,
    /// The step is decided by a vote of its body (the council, or a poll).
    #[serde(default)]
    pub vote: bool,
    /// A poll of all residents by secret ballot (无记名投票): who voted is
    /// kept apart from the ballots. Only for a `residents` step with a vote;
    /// absent (false): an open vote, each voter's choice on the record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    #[serde(default)]
    pub artefacts: Vec<Artefact>,
    /// Working days of public notice (公示) after the step; `None`: not noticed.
    #[serde(default)]
    pub notice_days: Option<u32>,
    /// Working days the step may take; `None`: no limit.
    #[serde(default)]
    pub limit_days: Option<u32>,
}

impl Step {
    /// Is this step a secret poll of all residents? (Only such a step may
    /// be; a method saying so of another step is refused when defined.)
    pub fn secret_poll(&self) -> bool {
        self.secret && self.vote && self.body == Body::Residents
    }
}

/// A work method: its steps in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkMethod {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    /// Residents' supports a proposal from residents needs before its first
    /// step; `None`: [`DEFAULT_SUPPORT`].
    #[serde(default)]
    pub support: Option<u32>,
    pub steps: Vec<Step>,
}

/// Supports a resident's proposal needs when its method does not say.
pub const DEFAULT_SUPPORT: u32 = 30;
/// The most supports a method may ask for.
pub const MAX_SUPPORT: u32 = 10_000;

/// Most steps a method may have: a method is read by people on a notice board.
pub const MAX_STEPS: usize = 20;
/// Longest notice or time limit, in working days (about a year).
pub const MAX_DAYS: u32 = 250;

fn code_ok(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn name_ok(s: &str) -> bool {
    let n = s.trim().chars().count();
    (1..=60).contains(&n) && !s.chars().any(char::is_control)
}

impl WorkMethod {
    /// Is this a method people can follow? Every problem found, not only the first.
    pub fn validate(&self) -> Result<(), Vec<Bilingual>> {
        let mut errors = Vec::new();
        if !code_ok(&self.code) {
            errors.push(Bilingual::new(
                format!("方法代码“{}”应为 1–32 位小写字母、数字或 _", self.code),
                format!("method code '{}' must be 1–32 lower-case letters, digits or _", self.code),
            ));
        }
        if !name_ok(&self.name) {
            errors.push(Bilingual::new("方法名称应为 1–60 个字", "the method's name must be 1–60 characters"));
        }
        if self.support.is_some_and(|n| n > MAX_SUPPORT) {
            errors.push(Bilingual::new(
                format!("附议人数最多为 {MAX_SUPPORT}"),
                format!("a method asks for at most {MAX_SUPPORT} supports"),
            ));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            errors.push(Bilingual::new(
                format!("方法应有 1–{MAX_STEPS} 个步骤"),
                format!("a method has 1–{MAX_STEPS} steps"),
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let n = i + 1;
            if !code_ok(&step.code) {
                errors.push(Bilingual::new(
                    format!("第 {n} 步的代码“{}”应为 1–32 位小写字母、数字或 _", step.code),
                    format!("step {n}'s code '{}' must be 1–32 lower-case letters, digits or _", step.code),
                ));
            }
            if self.steps[..i].iter().any(|s| s.code == step.code) {
                errors.push(Bilingual::new(
                    format!("第 {n} 步的代码“{}”与前面的步骤重复", step.code),
                    format!("step {n}'s code '{}' repeats an earlier step's", step.code),
                ));
            }
            if !name_ok(&step.name) {
                errors.push(Bilingual::new(
                    format!("第 {n} 步的名称应为 1–60 个字"),
                    format!("step {n}'s name must be 1–60 characters"),
                ));
            }
            if step.vote && !matches!(step.body, Body::Council | Body::Residents) {
                errors.push(Bilingual::new(
                    format!("第 {n} 步由{}办理，不能表决：表决由议事会或全体居民进行", step.body.label_zh()),
                    format!(
                        "step {n} is taken by the {}, which does not vote: the council or all residents vote",
                        step.body.label_en()
                    ),
                ));
            }
            if step.secret && !(step.vote && step.body == Body::Residents) {
                errors.push(Bilingual::new(
                    format!("第 {n} 步不是全体居民表决，不能设为无记名投票"),
                    format!("step {n} is no residents' poll, so it cannot be a secret ballot"),
                ));
            }
            for (what, days) in [("公示", step.notice_days), ("时限", step.limit_days)] {
                if days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
                    errors.push(Bilingual::new(
                        format!("第 {n} 步的{what}应为 1–{MAX_DAYS} 个工作日"),
                        format!(
                            "step {n}'s {} must be 1–{MAX_DAYS} working days",
                            if what == "公示" { "notice" } else { "time limit" }
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The step with this code and its place.
    pub fn step(&self, code: &str) -> Option<(usize, &Step)> {
        self.steps.iter().enumerate().find(|(_, s)| s.code == code)
    }
}

#[allow(clippy::too_many_arguments)]
fn step(
    code: &str,
    name: &str,
    name_en: &str,
    body: Body,
    vote: bool,
    artefacts: &[Artefact],
    notice_days: Option<u32>,
    limit_days: Option<u32>,
) -> Step {
    Step {
        code: code.to_owned(),
        name: name.to_owned(),
        name_en: name_en.to_owned(),
        body,
        vote,
        secret: false,
        artefacts: artefacts.to_vec(),
        notice_days,
        limit_days,
    }
}

/// 五步工作法: how a community spends its guarantee-and-incentive fund
/// (社区保障激励资金). Notice periods and limits are the usual local ones
/// (five working days of notice); a community may adopt other numbers by
/// defining its own copy.
pub fn five_step() -> WorkMethod {
    use Artefact::*;
    WorkMethod {
        code: "five_step".to_owned(),
        name: "五步工作法".to_owned(),
        name_en: "The five-step method".to_owned(),
        support: None,
        steps: vec![
            step(
                "propose",
                "党组织提议",
                "The Party organisation proposes",
                Body::Party,
                false,
                &[Minutes],
                Some(5),
                Some(10),
            ),
            step(
                "decide",
                "议事会决议",
                "The council decides",
                Body::Council,
                true,
                &[Minutes, Attendance, VoteRecord],
                Some(5),
                Some(20),
            ),
            step(
                "implement",
                "居委会实施",
                "The committee implements",
                Body::Committee,
                false,
                &[Contract, Invoice, Photos],
                None,
                Some(120),
            ),
            step(
                "accept",
                "党组织评议验收",
                "Review and acceptance",
                Body::Party,
                false,
                &[Minutes, Survey, Photos],
                Some(5),
                Some(20),
            ),
            step(
                "supervise",
                "监委会监督",
                "The supervisory committee signs off",
                Body::Supervisory,
                false,
                &[Opinion],
                None,
                Some(10),
            ),
        ],
    }
}

/// 四议两公开: 党组织提议、两委会议商议、党员大会审议、居民（代表）会议决议；
/// 决议公开、实施结果公开.
pub fn four_deliberations() -> WorkMethod {
    use Artefact::*;
    WorkMethod {
        code: "four_two".to_owned(),
        name: "四议两公开".to_owned(),
        name_en: "Four deliberations, two disclosures".to_owned(),
        support: None,
        steps: vec![
            step(
                "propose",
                "党组织提议",
                "The Party organisation proposes",
                Body::Party,
                false,
                &[Minutes],
                None,
                Some(10),
            ),
            step(
                "consult",
                "两委会议商议",
                "The two committees consult",
                Body::Committee,
                false,
                &[Minutes],
                None,
                Some(10),
            ),
            step(
                "review",
                "党员大会审议",
                "The Party members review",
                Body::Party,
                false,
                &[Minutes, Attendance],
                None,
                Some(10),
            ),
            step(
                "decide",
                "居民（代表）会议决议",
                "The residents' (representatives') meeting decides",
                Body::Council,
                true,
                &[Minutes, Attendance, VoteRecord],
                Some(5),
                Some(20),
            ),
            step(
                "implement",
                "组织实施，结果公开",
                "Implementation, result disclosed",
                Body::Committee,
                false,
                &[Contract, Invoice, Photos],
                Some(5),
                Some(120),
            ),
        ],
    }
}

/// The methods Shanzhi ships.
pub fn shipped() -> Vec<WorkMethod> {
    vec![five_step(), four_deliberations()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_methods_are_valid() {
        for m in shipped() {
            assert_eq!(m.validate(), Ok(()), "{}", m.code);
        }
        assert_eq!(five_step().steps.len(), 5);
        assert_eq!(five_step().step("decide").map(|(i, s)| (i, s.vote)), Some((1, true)));
    }

    #[test]
    fn a_community_defines_its_own_method_as_data() {
        // 五线工作法 as one estate writes it, read from JSON: no code involved.
        let json = r#"{"code": "five_lines", "name": "五线工作法", "steps": [
            {"code": "collect", "name": "收集民意", "body": "committee", "artefacts": ["minutes"]},
            {"code": "discuss", "name": "院落议事", "body": "council", "vote": true,
             "artefacts": ["attendance", "vote_record"], "notice_days": 3},
            {"code": "act", "name": "落实", "body": "committee", "limit_days": 30}
        ]}"#;
        let m: WorkMethod = serde_json::from_str(json).expect("a method");
        assert_eq!(m.validate(), Ok(()));
        assert_eq!(m.steps[1].notice_days, Some(3));
    }

    #[test]
    fn every_problem_of_a_method_is_said() {
        let mut m = five_step();
        m.code = "Five Step".to_owned();
        m.steps[2].code = "propose".to_owned();
        m.steps[3].vote = true;
        m.steps[4].notice_days = Some(0);
        let errors = m.validate().expect_err("invalid");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[1].zh.contains("第 3 步") && errors[1].zh.contains("重复"));
        assert!(errors[2].zh.contains("不能表决"));
        let empty = WorkMethod { steps: Vec::new(), ..five_step() };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn only_a_residents_poll_is_secret() {
        let json = r#"{"code": "estate", "name": "院落自治", "steps": [
            {"code": "poll", "name": "全体居民投票", "body": "residents", "vote": true, "secret": true},
            {"code": "open", "name": "议事会表决", "body": "council", "vote": true}
        ]}"#;
        let mut m: WorkMethod = serde_json::from_str(json).expect("a method");
        assert_eq!(m.validate(), Ok(()));
        assert!(m.steps[0].secret && !m.steps[1].secret, "absent is an open vote");
        // A method saved before the setting existed reads the same as before.
        assert!(!serde_json::to_string(&five_step()).expect("json").contains("secret"));
        m.steps[1].secret = true;
        let errors = m.validate().expect_err("a council's vote is open");
        assert!(errors[0].zh.contains("无记名") && errors[0].zh.contains("第 2 步"), "{errors:?}");
    }
}
