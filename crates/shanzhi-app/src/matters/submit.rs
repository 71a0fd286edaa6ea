//! Writing a report that passed its checks: the record and its first
//! timeline entry, the private key of a reporter without an account, the
//! request's fingerprint beside its idempotency key, and the answer.

use serde::Serialize;
use sha2::{Digest, Sha256};
use shanzhi_domain::category::Severity;
use shanzhi_domain::matter::Reporter;
use shanzhi_domain::similar::Sighting;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Channel, DivisionLevel, Matter, MatterId, Micros, Stage, Status};
use shanzhi_store::{Created, MatterQuery, MatterScope, NewMatter};

use super::duplicates::Repeats;
use super::intake::Checked;
use super::{IntakeAnswer, IntakeRequest};
use crate::access::auth::{random_token, token_hash};
use crate::access::{Scoped, Via};
use crate::{AppError, AppResult};

/// A report ready to be written, and what its answer needs.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) new: NewMatter,
    private_key: Option<String>,
    pub(crate) repeats: Repeats,
    fingerprint: String,
    by_key: bool,
}

/// The day in China, for matter numbers.
fn day_code(at: Micros) -> String {
    at.timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
        .strftime("%Y%m%d")
        .to_string()
}

pub(crate) fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a request asks for, hashed: a repeated idempotency key (or hotline
/// order number) must come with the same request to get the earlier answer.
pub(crate) fn fingerprint(r: &IntakeRequest) -> String {
    #[derive(Serialize)]
    struct Canonical<'a> {
        category: &'a str,
        lng: Option<f64>,
        lat: Option<f64>,
        crs: Option<String>,
        grid: Option<&'a str>,
        description: &'a str,
        channel: Option<&'a str>,
        address: Option<&'a str>,
        reporter_name: Option<&'a str>,
        reporter_phone: Option<&'a str>,
        attachments: &'a [String],
        external_ref: Option<&'a str>,
        reported_at: Option<Micros>,
        urgent: bool,
        attributes: &'a std::collections::BTreeMap<String, Vec<String>>,
        links: &'a [String],
        photos: Vec<String>,
    }
    let c = Canonical {
        category: r.category.trim(),
        lng: r.lng,
        lat: r.lat,
        crs: r.crs.map(|c| format!("{c:?}")),
        grid: r.grid.as_deref(),
        description: r.description.trim(),
        channel: r.channel.as_deref(),
        address: r.address.as_deref(),
        reporter_name: r.reporter_name.as_deref(),
        reporter_phone: r.reporter_phone.as_deref(),
        attachments: &r.attachments,
        external_ref: r.external_ref.as_deref(),
        reported_at: r.reported_at,
        urgent: r.urgent,
        attributes: &r.attributes,
        links: &r.links,
        photos: r.photos.iter().map(|p| hex_sha256(&[p])).collect(),
    };
    hex_sha256(&[serde_json::to_string(&c).unwrap_or_default().as_bytes()])
}

impl Scoped<'_> {
    /// Report a matter.
    pub async fn intake(&self, mut r: IntakeRequest) -> AppResult<IntakeAnswer> {
        let fingerprint = fingerprint(&r);
        let checked = self.check_intake(&r).await?;
        for p in std::mem::take(&mut r.photos) {
            r.attachments.push(self.store_photo(&p).await?.id);
        }
        let mut prepared = self.prepare(&r, checked, fingerprint).await?;
        prepared.new.notices = self.app.report_notices(&prepared.new.matter, &prepared.new.first).await?;
        let created = self.app.store.create_matter(&prepared.new).await?;
        self.finish(prepared, created).await
    }

    /// The key under which an idempotency key is kept: the caller's own (one
    /// caller cannot reach another's matter by guessing or reusing a key).
    fn idempotency_key(&self, key: &str) -> String {
        let owner = match (&self.actor.via, self.actor.user_id()) {
            (_, Some(id)) => format!("user:{id}"),
            (Via::System, None) => "system".to_owned(),
            _ => "anonymous".to_owned(),
        };
        hex_sha256(&[b"idempotency", owner.as_bytes(), key.as_bytes()])
    }

    /// Build the record and its first entry (nothing is written).
    pub(crate) async fn prepare(&self, r: &IntakeRequest, c: Checked, fingerprint: String) -> AppResult<Prepared> {
        let now = self.app.now_micros();
        let reported_at = r.reported_at.filter(|t| *t <= now).unwrap_or(now);
        let repeats = self
            .repeats_of(&Sighting {
                category: c.category.code.clone(),
                family: c.category.parent.clone(),
                grid: c.grid.clone(),
                point: c.point,
                at: reported_at,
                text: c.description.clone(),
            })
            .await?;
        let urgent = r.urgent || c.category.severity == Severity::Urgent;
        let mut details = serde_json::json!({
            "channel": c.channel,
            "category": c.category.code,
            "category_version": c.version,
            "grid": c.grid,
            "description": c.description,
            "address": r.address,
            "lng": c.point.map(|p| p.lng),
            "lat": c.point.map(|p| p.lat),
            "external_ref": r.external_ref,
            "level": c.level,
        });
        if !c.answers.is_empty() {
            details["attributes"] = serde_json::to_value(&c.answers).unwrap_or_default();
        }
        if !r.links.is_empty() {
            details["links"] = serde_json::Value::from(r.links.clone());
        }
        // Someone without an account gets a key of their own to follow and
        // rate the matter; the id, which staff see, is no key.
        let private_key = (self.actor.via == Via::Anonymous).then(|| random_token("szk_"));
        let hotline = c.channel == Channel::Hotline;
        let mut record = Matter {
            id: MatterId::new(),
            number: String::new(),
            channel: c.channel,
            category: c.category.code.clone(),
            category_version: c.version,
            line: c.category.line,
            severity: if urgent { Severity::Urgent } else { Severity::Normal },
            description: c.description,
            address: r.address.clone(),
            location: c.point,
            grid: c.grid,
            general_grid: c.general_grid,
            reporter: Reporter {
                // Whoever takes or imports a hotline call is not its reporter:
                // the order's caller is (their name and phone come with it).
                user_id: if hotline { None } else { self.actor.user_id().map(str::to_owned) },
                name: c.reporter_name,
                phone: c.reporter_phone,
            },
            external_ref: r.external_ref.clone(),
            duplicate_of: repeats.original.as_ref().map(|o| o.number.clone()),
            // The clock runs from when the matter reaches the platform: an
            // imported order taken by the hotline days ago starts its first
            // stage now, not overdue.
            clock: self.app.timing().start(Stage::Accept, &c.category.limits, urgent, now.timestamp()),
            status: Status::reported(c.level),
            reported_at,
            updated_at: reported_at,
            event_count: 1,
            last_hash: String::new(),
            reporter_key_hash: private_key.as_deref().map(token_hash),
            request_hash: Some(fingerprint.clone()),
        };
        let first = record.report_entry(&self.actor.name, c.role, details.to_string(), r.attachments.clone());
        record.last_hash = first.hash.clone();
        let district = record.grid.community().ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
        let number_prefix = format!(
            "{}-{}",
            district.map_or("510100".to_owned(), |d| d.significant().to_owned()),
            day_code(reported_at)
        );
        Ok(Prepared {
            new: NewMatter {
                matter: record,
                idempotency_key: r.idempotency_key.as_deref().map(|k| self.idempotency_key(k)),
                number_prefix,
                first,
                notices: Vec::new(),
            },
            private_key,
            repeats,
            fingerprint,
            by_key: r.idempotency_key.is_some(),
        })
    }

    /// After the write: bind the photos, or check that a repeat asked for the
    /// same; then the answer.
    pub(crate) async fn finish(&self, p: Prepared, created: Created) -> AppResult<IntakeAnswer> {
        Ok(self.finish_with_repeats(p, created).await?.0)
    }

    /// [`Self::finish`], and the numbers of the later matters now pointing
    /// to the new one as their original.
    pub(crate) async fn finish_with_repeats(
        &self,
        p: Prepared,
        created: Created,
    ) -> AppResult<(IntakeAnswer, Vec<String>)> {
        let record = p.new.matter;
        let (stored, is_new) = match created {
            Created::New { number } => (Matter { number, ..record }, true),
            Created::Existing { id } => {
                let stored = self.app.store.matter(&id).await?.ok_or_else(super::matter_not_found)?;
                // Rows written before fingerprints were kept carry none.
                if stored.request_hash.as_ref().is_some_and(|h| *h != p.fingerprint) {
                    return Err(if p.by_key {
                        AppError::invalid(
                            "idempotency_key_reused",
                            Bilingual::new(
                                "该幂等键（Idempotency-Key）已用于另一个不同的请求",
                                "this Idempotency-Key was already used for a different request",
                            ),
                        )
                    } else {
                        AppError::invalid(
                            "order_conflict",
                            Bilingual::new(
                                format!(
                                    "工单编号 {} 已导入，但内容与此次不同",
                                    stored.external_ref.as_deref().unwrap_or_default()
                                ),
                                format!(
                                    "order {} was imported before with different content",
                                    stored.external_ref.as_deref().unwrap_or_default()
                                ),
                            ),
                        )
                    });
                }
                (stored, false)
            }
        };
        let mut repeats = p.repeats.numbers();
        let mut repointed = Vec::new();
        if is_new {
            // Later reports of the same problem now point to this one.
            repointed = self.repoint_later(&stored, &p.repeats.later).await?;
        } else {
            repeats.clear();
        }
        if is_new && !p.new.first.attachments.is_empty() {
            self.app.store.bind_attachments(&p.new.first.attachments, &stored.id, &self.actor.name).await?;
        }
        let suggestion = self.suggestion_for(&stored).await?;
        let suggested_categories = self.category_hints(&stored.description).await?;
        if is_new {
            tracing::info!(number = %stored.number, channel = %stored.channel, category = %stored.category, "matter reported");
        }
        let answer = IntakeAnswer {
            matter: self.view(&stored).await?,
            created: is_new,
            private_key: if is_new { p.private_key } else { None },
            possible_duplicates: self.visible_numbers(&repeats).await?,
            suggestion,
            suggested_categories,
        };
        Ok((answer, repointed))
    }

    /// Of these matter numbers, those the caller may see (a duplicate hint
    /// must not tell an anonymous caller that a hidden matter exists nearby).
    async fn visible_numbers(&self, numbers: &[String]) -> AppResult<Vec<String>> {
        if numbers.is_empty() || self.actor.via == Via::Anonymous {
            return Ok(Vec::new());
        }
        let query = MatterQuery { numbers: numbers.to_vec(), limit: numbers.len(), ..MatterQuery::default() };
        let seen: Vec<String> = self
            .app
            .store
            .matters(&MatterQuery { scope: MatterScope { everything: true, ..MatterScope::default() }, ..query })
            .await?
            .into_iter()
            .filter(|m| self.can_see(m))
            .map(|m| m.number)
            .collect();
        Ok(numbers.iter().filter(|n| seen.contains(n)).cloned().collect())
    }
}
