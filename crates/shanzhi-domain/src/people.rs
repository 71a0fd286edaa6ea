//! People: usernames, passwords, phone numbers (masked by default) and
//! departments.

use std::fmt;

use serde::Serialize;

use crate::code::string_code;
use crate::division::{DivisionCode, DivisionLevel};
use crate::text::Bilingual;

/// A sign-in name: 3–32 characters, lower-case letters, digits, `_ . -`,
/// beginning with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
        if !ok {
            return Err(Bilingual::new(
                format!("用户名“{input}”应为 3–32 位小写字母、数字或 _ . -，以字母开头"),
                format!("username '{input}' must be 3–32 lower-case letters, digits or _ . -, starting with a letter"),
            ));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check a new password: 10–128 characters with at least three of lower-case,
/// upper-case, digits and symbols (or 16+ characters of anything), and not
/// containing the username.
pub fn check_password(password: &str, username: &Username) -> Result<(), Bilingual> {
    let n = password.chars().count();
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !(10..=128).contains(&n) {
        return Err(Bilingual::new("密码长度应为 10–128 个字符", "a password must have 10–128 characters"));
    }
    if classes < 3 && n < 16 {
        return Err(Bilingual::new(
            "密码应至少包含小写字母、大写字母、数字、符号中的三类（或不少于 16 个字符）",
            "a password needs three of lower-case, upper-case, digits and symbols (or 16+ characters)",
        ));
    }
    if password.to_lowercase().contains(username.as_str()) {
        return Err(Bilingual::new("密码不能包含用户名", "a password must not contain the username"));
    }
    Ok(())
}

/// A mainland mobile number (11 digits from 1[3-9]); `+86`, spaces and dashes
/// are dropped. Shown masked (`138****5678`) unless a role needs it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
        let ok = digits.len() == 11
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if !ok {
            return Err(Bilingual::new(
                "手机号应为 11 位中国大陆手机号码",
                "a phone number must be an 11-digit mainland mobile number",
            ));
        }
        Ok(Phone(digits.to_owned()))
    }

    /// The full number; call only where the viewer may see it (and record that).
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// Debug and Display show the masked form, so a phone number cannot reach a
/// log by accident.
impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A staff member's public work phone (opt-in, set by whoever manages them):
/// shown on the community's public page, never the private mobile. A
/// mainland mobile number or a landline with its area code (`028-86612345`);
/// spaces and dashes are dropped, the landline kept as `AREA-NUMBER`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct WorkPhone(String);

impl WorkPhone {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let wrong = || {
            Bilingual::new(
                "工作电话应为手机号码或带区号的固定电话（如 028-86612345）",
                "a work phone must be a mobile number or a landline with its area code (028-86612345)",
            )
        };
        if input.len() > 24 {
            return Err(wrong());
        }
        if let Ok(p) = Phone::parse(input) {
            return Ok(WorkPhone(p.reveal().to_owned()));
        }
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !digits.starts_with('0') || digits.starts_with("00") {
            return Err(wrong());
        }
        // Area codes: 010 and 02X have three digits, the others four.
        let area = if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 };
        let number = digits.get(area..).unwrap_or_default();
        if !(7..=8).contains(&number.len()) || number.starts_with('0') || number.starts_with('1') {
            return Err(wrong());
        }
        Ok(WorkPhone(format!("{}-{number}", &digits[..area])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_code! {
    /// A department code: the division it serves (6-digit county or 9-digit town
    /// code; `510100` for the city) and a short key, e.g. `510104-chengguan`.
    pub struct DepartmentCode(String);
    // The deserializer's message stays the English one.
    parse error Bilingual, deserialize message |e| e.en
}

impl DepartmentCode {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim();
        let bad = || {
            Bilingual::new(
                format!("部门编码“{input}”应为 区划代码-英文简称，如 510104-chengguan"),
                format!("department code '{input}' must be DIVISION-key, e.g. 510104-chengguan"),
            )
        };
        let (division, key) = s.split_once('-').ok_or_else(bad)?;
        let code = DivisionCode::parse(division).map_err(|_| bad())?;
        let key_ok = (2..=32).contains(&key.len())
            && key.starts_with(|c: char| c.is_ascii_lowercase())
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok || !matches!(code.level(), DivisionLevel::City | DivisionLevel::District | DivisionLevel::Town) {
            return Err(bad());
        }
        Ok(DepartmentCode(format!("{}-{key}", code.significant())))
    }

    pub fn division(&self) -> DivisionCode {
        let (d, _) = self.0.split_once('-').expect("checked when parsed");
        DivisionCode::parse(d).expect("checked when parsed")
    }

    /// City, district or town level.
    pub fn level(&self) -> DivisionLevel {
        self.division().level()
    }
}

crate::code_enum! {
    /// What an account is for: staff hold assignments; a resident reports and rates.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum UserKind {
        Staff => "staff";
        Resident => "resident";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_everywhere_by_default() {
        let p = Phone::parse("+86 138-1234-5678").expect("phone");
        assert_eq!(p.reveal(), "13812345678");
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(format!("{p} {p:?}"), "138****5678 Phone(138****5678)");
        for bad in ["12812345678", "1381234567", "138123456789", "abc"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn work_phones_are_mobiles_or_landlines_with_area_code() {
        let ok = |s: &str| WorkPhone::parse(s).map(|p| p.as_str().to_owned());
        assert_eq!(ok("028-8661 2345"), Ok("028-86612345".to_owned()));
        assert_eq!(ok("0816 2345678"), Ok("0816-2345678".to_owned()));
        assert!(ok("010-12345678").is_err(), "a number does not begin with 1");
        assert_eq!(ok("+86 138-1234-5678"), Ok("13812345678".to_owned()));
        for bad in ["", "86612345", "028-866", "028-866123456", "0028-86612345", "028-0661234", "abc", &"0".repeat(30)]
        {
            assert!(WorkPhone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_follow_the_rules() {
        let u = Username::parse("zhangsan").expect("username");
        assert!(check_password("Chengdu-2026!", &u).is_ok());
        assert!(check_password("short1A!", &u).is_err());
        assert!(check_password("alllowercaseletters", &u).is_ok(), "16+ characters of anything");
        assert!(check_password("onlylower12", &u).is_err());
        assert!(check_password("Zhangsan-2026!", &u).is_err(), "contains the username");
    }

    #[test]
    fn usernames_and_department_codes_parse() {
        assert_eq!(Username::parse("Admin").map(|u| u.0), Ok("admin".to_owned()));
        assert!(
            Username::parse("1abc").is_err() && Username::parse("ab").is_err() && Username::parse("a b c").is_err()
        );
        let d = DepartmentCode::parse("510104-chengguan").expect("dept");
        assert_eq!(d.division().as_str(), "510104000000");
        assert_eq!(d.level(), DivisionLevel::District);
        assert_eq!(DepartmentCode::parse("510100-gongan").map(|d| d.level()), Ok(DivisionLevel::City));
        assert_eq!(DepartmentCode::parse("510104022-zhifa").map(|d| d.level()), Ok(DivisionLevel::Town));
        for bad in ["510104", "510104-", "510104-Cheng", "51-x1", "510104022001-x"] {
            assert!(DepartmentCode::parse(bad).is_err(), "{bad}");
        }
    }
}
