//! Services: the categories a report can name (leaves of the dictionary).

use serde::Serialize;
use shanzhi_domain::category::{CategoryKind, TimeLimits};
use shanzhi_domain::{Attribute, Category, CategoryCode, Stage};

use crate::access::Scoped;
use crate::{AppError, AppResult};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInfo {
    pub service_code: String,
    pub service_name: String,
    pub description: Option<String>,
    pub metadata: bool,
    /// Always `realtime`: a post answers with the request's id at once.
    pub r#type: &'static str,
    pub keywords: Vec<String>,
    pub group: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// The time limits of a category as a sentence (`service_notice`).
pub fn service_notice(limits: &TimeLimits) -> Option<String> {
    let stages = [
        (Stage::Accept, limits.accept),
        (Stage::Dispatch, limits.dispatch),
        (Stage::Sign, limits.sign),
        (Stage::Handle, limits.handle),
        (Stage::Verify, limits.verify),
    ];
    let parts: Vec<String> =
        stages.iter().filter_map(|(s, l)| l.map(|l| format!("{}时限 {}", s.label_zh(), l.label_zh()))).collect();
    (!parts.is_empty()).then(|| parts.join("；"))
}

fn group_of(c: &Category, parent: Option<&Category>) -> Option<String> {
    match (parent, c.kind) {
        (Some(p), _) => Some(p.name.clone()),
        (None, CategoryKind::Hotline) => Some("12345 热线诉求".to_owned()),
        (None, CategoryKind::Governance) => Some("综治事项".to_owned()),
        (None, CategoryKind::Event) => None,
    }
}

impl Scoped<'_> {
    /// Every category a matter can be reported under.
    pub async fn open311_services(&self) -> AppResult<Vec<ServiceInfo>> {
        let dictionary = self.app.dictionary().await?;
        let mut out = Vec::new();
        for (c, _) in &dictionary.categories {
            if dictionary.is_parent(&c.code) {
                continue;
            }
            let parent = c.parent.as_ref().and_then(|p| dictionary.category(p)).map(|(p, _)| p);
            out.push(ServiceInfo {
                service_code: c.code.to_string(),
                service_name: c.name.clone(),
                description: Some(c.filing_condition.clone()).filter(|d| !d.is_empty()),
                metadata: !c.attributes.is_empty(),
                r#type: "realtime",
                keywords: c.keywords.clone(),
                group: group_of(c, parent),
            });
        }
        // By code as bytes, whatever the database's collation.
        out.sort_by(|a, b| a.service_code.cmp(&b.service_code));
        Ok(out)
    }

    /// One service's attributes (empty for a service without metadata).
    pub async fn open311_service(&self, code: &str) -> AppResult<ServiceDefinition> {
        let unknown = || {
            AppError::not_found(
                "unknown_service_code",
                format!("未知的 service_code“{code}”"),
                format!("unknown service_code '{code}'"),
            )
        };
        let code = CategoryCode::parse(code).map_err(|_| unknown())?;
        let dictionary = self.app.dictionary().await?;
        if dictionary.is_parent(&code) {
            return Err(unknown());
        }
        let (c, _) = dictionary.category(&code).ok_or_else(unknown)?;
        let mut attributes = c.attributes.clone();
        attributes.sort_by_key(|a| a.order);
        Ok(ServiceDefinition { service_code: c.code.to_string(), attributes })
    }
}
