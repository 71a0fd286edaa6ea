//! Open311 parameters: repeated keys kept, empty values treated as absent,
//! `attribute[code]` and `attribute[code][]` gathered by code.

use std::collections::BTreeMap;

use shanzhi_domain::text::Bilingual;

/// Name–value pairs read from one query string or form.
pub const MAX_PARAMS: usize = 1_000;

#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// Whether a name or value holds a NUL character.
    pub fn has_nul(&self) -> bool {
        self.0.iter().any(|(k, v)| k.contains('\0') || v.contains('\0'))
    }

    pub fn from_query(query: Option<&str>) -> Params {
        Params::from_form(query.unwrap_or("").as_bytes())
    }

    /// At most [`MAX_PARAMS`] pairs are read; no Open311 client sends more.
    pub fn from_form(bytes: &[u8]) -> Params {
        Params(
            url::form_urlencoded::parse(bytes)
                .take(MAX_PARAMS)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// These parameters, then `other`'s (the first value of a name wins).
    pub fn with(mut self, other: Params) -> Params {
        self.0.extend(other.0);
        self
    }

    /// The first non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }

    /// Every non-empty value of a repeated name, as given.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A comma list (or the name repeated), empty items dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// `true` only for `true` (or `1`).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    pub fn number(&self, name: &str) -> Result<Option<usize>, Bilingual> {
        self.get(name)
            .map(|v| {
                v.parse::<usize>().map_err(|_| {
                    Bilingual::new(format!("{name} 应为正整数：“{v}”"), format!("{name} must be a whole number: '{v}'"))
                })
            })
            .transpose()
    }

    /// `attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2`.
    pub fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &self.0 {
            let Some(rest) = k.strip_prefix("attribute[") else { continue };
            let code = rest.strip_suffix("][]").or_else(|| rest.strip_suffix(']'));
            if let Some(code) = code.filter(|c| !c.is_empty() && !c.contains(['[', ']'])) {
                out.entry(code.to_owned()).or_default().push(v.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_absent_and_lists_split() {
        let p = Params::from_query(Some("status=&service_code=0101,%20ZZ.0201&service_code=0102&page=2&x=1"));
        assert_eq!(p.get("status"), None);
        assert_eq!(p.list("status"), Vec::<String>::new());
        assert_eq!(p.list("service_code"), ["0101", "ZZ.0201", "0102"]);
        assert_eq!(p.number("page").expect("number"), Some(2));
        assert!(Params::from_query(Some("page=two")).number("page").is_err());
        assert!(Params::from_query(Some("extensions=true")).flag("extensions"));
        assert!(!Params::from_query(Some("extensions=false")).flag("extensions"));
    }

    #[test]
    fn attributes_single_and_multi() {
        let p = Params::from_form(
            b"attribute%5Bhazard_level%5D=major&attribute%5Bhazard_sources%5D%5B%5D=gas&attribute[hazard_sources][]=ebike&attribute[]=x&attribute[a][b]=y",
        );
        let a = p.attributes();
        assert_eq!(a["hazard_level"], ["major"]);
        assert_eq!(a["hazard_sources"], ["gas", "ebike"]);
        assert_eq!(a.len(), 2, "malformed names are ignored: {a:?}");
    }
}
