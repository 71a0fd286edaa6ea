//! Category attributes: the extra questions a category asks when a matter is
//! reported (Open311 "service definition" attributes). Six datatypes as the
//! GeoReport v2 spec names them; values arrive as text and are parsed here,
//! so a stored report only ever holds values that fit their question.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::Bilingual;

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Datatype {
        String => "string";
        Number => "number";
        Datetime => "datetime";
        Text => "text";
        Singlevaluelist => "singlevaluelist";
        Multivaluelist => "multivaluelist";
    }
}

impl Datatype {
    fn is_list(self) -> bool {
        matches!(self, Datatype::Singlevaluelist | Datatype::Multivaluelist)
    }
}

/// One allowed answer of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// A parsed answer, as stored with the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    Number(f64),
    /// Free text, a list key, or a datetime in UTC (RFC 3339).
    Text(String),
    /// The keys chosen from a multivaluelist.
    Keys(Vec<String>),
}

/// One question of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attribute {
    /// Machine name (`hazard_level`): ASCII letters, digits, `_`.
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    /// The question as residents read it.
    pub description: String,
    /// Help on the expected answer.
    #[serde(default)]
    pub datatype_description: String,
    pub order: u32,
    /// Allowed answers (list datatypes only).
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

/// Longest free answer: `string` is a line, `text` a paragraph.
const STRING_CHARS: usize = 200;
const TEXT_CHARS: usize = 2000;

impl Attribute {
    pub fn validate(&self) -> Result<(), Bilingual> {
        let code_ok = (1..=40).contains(&self.code.len())
            && self.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && self.code.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if !code_ok {
            return Err(Bilingual::new(
                format!("属性代码“{}”应以字母开头，由 1–40 位字母、数字或 _ 组成", self.code),
                format!("attribute code '{}' must be 1–40 letters, digits or _, starting with a letter", self.code),
            ));
        }
        let n = self.description.trim().chars().count();
        if n == 0 || n > 200 {
            return Err(Bilingual::new("属性说明应为 1–200 个字符", "an attribute description needs 1–200 characters"));
        }
        if self.datatype.is_list() == self.values.is_empty() {
            return Err(Bilingual::new(
                format!("属性“{}”：列表类型须列出可选值，其他类型不得列出", self.code),
                format!("attribute '{}': list datatypes need values, other datatypes take none", self.code),
            ));
        }
        let mut keys: Vec<&str> = self.values.iter().map(|v| v.key.as_str()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) || keys.iter().any(|k| k.is_empty() || k.len() > 40) {
            return Err(Bilingual::new(
                format!("属性“{}”的可选值键应唯一且为 1–40 个字符", self.code),
                format!("attribute '{}': value keys must be unique and 1–40 characters", self.code),
            ));
        }
        Ok(())
    }

    /// Parse the answers given for this attribute (several only for a
    /// multivaluelist) into the value stored with the report.
    fn parse(&self, given: &[String]) -> Result<Answer, Bilingual> {
        let wrong = |zh: String, en: String| {
            Err(Bilingual::new(format!("属性“{}”：{zh}", self.code), format!("attribute '{}': {en}", self.code)))
        };
        let given: Vec<&str> = given.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if self.datatype != Datatype::Multivaluelist && given.len() > 1 {
            return wrong("只能有一个值".into(), "takes a single value".into());
        }
        let one = given.first().copied().unwrap_or_default();
        match self.datatype {
            Datatype::String | Datatype::Text => {
                let max = if self.datatype == Datatype::String { STRING_CHARS } else { TEXT_CHARS };
                if one.chars().count() > max {
                    return wrong(format!("不超过 {max} 个字符"), format!("at most {max} characters"));
                }
                Ok(Answer::Text(one.to_owned()))
            }
            Datatype::Number => match one.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Answer::Number(x)),
                _ => wrong(format!("“{one}”不是数字"), format!("'{one}' is not a number")),
            },
            Datatype::Datetime => match one.parse::<jiff::Timestamp>() {
                Ok(t) => Ok(Answer::Text(t.to_string())),
                Err(_) => wrong(
                    format!("“{one}”不是带时区的 ISO 8601 时间"),
                    format!("'{one}' is not an ISO 8601 datetime with an offset"),
                ),
            },
            Datatype::Singlevaluelist | Datatype::Multivaluelist => {
                let mut keys = Vec::with_capacity(given.len());
                for g in &given {
                    if !self.values.iter().any(|v| v.key == *g) {
                        let allowed: Vec<&str> = self.values.iter().map(|v| v.key.as_str()).collect();
                        return wrong(
                            format!("“{g}”不是可选值（{}）", allowed.join("、")),
                            format!("'{g}' is not one of {}", allowed.join(", ")),
                        );
                    }
                    if !keys.contains(g) {
                        keys.push(*g);
                    }
                }
                Ok(if self.datatype == Datatype::Singlevaluelist {
                    Answer::Text(one.to_owned())
                } else {
                    Answer::Keys(keys.into_iter().map(str::to_owned).collect())
                })
            }
        }
    }
}

/// Check a report's answers against its category's attributes: every
/// required one answered, no unknown ones, each value of its datatype.
/// Returns the parsed answers, by code (unanswered optional ones left out).
pub fn parse_answers(
    attributes: &[Attribute],
    given: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Answer>, Bilingual> {
    if let Some(unknown) = given.keys().find(|k| !attributes.iter().any(|a| &a.code == *k)) {
        return Err(Bilingual::new(
            format!("该分类没有属性“{unknown}”"),
            format!("this category has no attribute '{unknown}'"),
        ));
    }
    let mut out = BTreeMap::new();
    for a in attributes {
        let values = given.get(&a.code).map(Vec::as_slice).unwrap_or_default();
        if values.iter().all(|v| v.trim().is_empty()) {
            if a.required {
                return Err(Bilingual::new(
                    format!("缺少必填属性“{}”（{}）", a.code, a.description),
                    format!("the required attribute '{}' is missing", a.code),
                ));
            }
            continue;
        }
        out.insert(a.code.clone(), a.parse(values)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(code: &str, datatype: Datatype, required: bool, values: &[&str]) -> Attribute {
        Attribute {
            code: code.to_owned(),
            datatype,
            required,
            description: format!("{code}?"),
            datatype_description: String::new(),
            order: 1,
            values: values.iter().map(|k| AttributeValue { key: (*k).to_owned(), name: k.to_uppercase() }).collect(),
        }
    }

    fn given(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    #[test]
    fn each_datatype_parses_its_values_and_refuses_others() {
        let all = [
            attr("s", Datatype::String, false, &[]),
            attr("n", Datatype::Number, false, &[]),
            attr("d", Datatype::Datetime, false, &[]),
            attr("t", Datatype::Text, false, &[]),
            attr("one", Datatype::Singlevaluelist, false, &["a", "b"]),
            attr("many", Datatype::Multivaluelist, false, &["a", "b", "c"]),
        ];
        for a in &all {
            a.validate().expect("valid definition");
        }
        let ok = parse_answers(
            &all,
            &given(&[
                ("s", &["门口"]),
                ("n", &["3.5"]),
                ("d", &["2026-11-28T09:00:00+08:00"]),
                ("t", &["很长的说明"]),
                ("one", &["b"]),
                ("many", &["c", "a", "c"]),
            ]),
        )
        .expect("all fit");
        assert_eq!(ok["n"], Answer::Number(3.5));
        assert_eq!(ok["d"], Answer::Text("2026-11-28T01:00:00Z".into()), "datetimes are stored in UTC");
        assert_eq!(ok["many"], Answer::Keys(vec!["c".into(), "a".into()]), "repeated answers count once");
        assert_eq!(serde_json::to_string(&ok["many"]).expect("json"), r#"["c","a"]"#);
        for bad in [
            given(&[("n", &["three"])]),
            given(&[("n", &["NaN"])]),
            given(&[("d", &["yesterday"])]),
            given(&[("d", &["2026-11-28T09:00:00"])]),
            given(&[("one", &["z"])]),
            given(&[("one", &["a", "b"])]),
            given(&[("many", &["a", "z"])]),
            given(&[("s", &[&"长".repeat(201)])]),
            given(&[("nope", &["x"])]),
        ] {
            assert!(parse_answers(&all, &bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn required_attributes_must_be_answered() {
        let a = [attr("level", Datatype::Singlevaluelist, true, &["low", "high"])];
        assert!(parse_answers(&a, &BTreeMap::new()).is_err());
        assert!(parse_answers(&a, &given(&[("level", &[" "])])).is_err(), "blank is not an answer");
        assert_eq!(
            parse_answers(&a, &given(&[("level", &["high"])])).expect("answered")["level"],
            Answer::Text("high".into())
        );
    }

    #[test]
    fn definitions_are_checked() {
        assert!(attr("9lives", Datatype::String, false, &[]).validate().is_err());
        assert!(attr("list", Datatype::Singlevaluelist, false, &[]).validate().is_err());
        assert!(attr("text", Datatype::Text, false, &["a"]).validate().is_err());
        assert!(attr("dup", Datatype::Multivaluelist, false, &["a", "a"]).validate().is_err());
    }
}
