//! 自行处置: a grid worker reports what they found in their own grid and
//! handles it on the spot, for a category that allows it. The matter is
//! written with its two entries — the worker's report, then `self_handle`
//! closing it with the photo of the result — in one transaction: there is
//! never a moment where it waits in the intake queue.

use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{ActingRole, Command, Place, Role};

use super::MatterView;
use super::intake::IntakeRequest;
use super::submit::fingerprint;
use crate::access::Scoped;
use crate::grids::today;
use crate::{AppError, AppResult};

/// At most this many photos on each side (before, after), as any command.
const MAX_PHOTOS: usize = 9;

/// A report and its handling, as the grid worker sends them.
#[derive(Debug, Clone, Default)]
pub struct SelfHandleRequest {
    /// What was found and where (a position is required); its attachments
    /// and photos are the "before" photos (处置前, optional).
    pub report: IntakeRequest,
    /// What the worker did (处置情况).
    pub text: String,
    /// The "after" photos (处置后), uploaded already; at least one of these
    /// or of `after_photos`.
    pub after: Vec<String>,
    /// "After" photos sent with the request itself (the page's form).
    pub after_photos: Vec<Vec<u8>>,
}

fn bad(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::bad_request(code, zh, en)
}

impl Scoped<'_> {
    /// Report and close a matter in one step. Every check runs before
    /// anything is written: a refusal leaves no matter and no photo.
    pub async fn self_handle(&self, mut r: SelfHandleRequest) -> AppResult<MatterView> {
        if !self.actor.has_role(Role::GridWorker) {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有网格员可以自行处置",
                "only a grid worker may handle a matter on the spot",
            )));
        }
        r.report.channel = Some("grid_worker".to_owned());
        if r.report.grid.is_some() || r.report.lng.is_none() || r.report.lat.is_none() {
            return Err(bad(
                "missing_location",
                "自行处置须给出现场位置（lng、lat）",
                "handling on the spot needs the position (lng, lat)",
            ));
        }
        let command = Command::SelfHandle { text: r.text.trim().to_owned() };
        command.validate().map_err(|m| AppError::BadRequest { code: "invalid_arguments", message: m })?;
        if r.after.is_empty() && r.after_photos.is_empty() {
            return Err(bad(
                "after_photo_required",
                "请拍摄处置后的现场照片",
                "a photo of the place after handling is required",
            ));
        }
        if r.after.len() + r.after_photos.len() > MAX_PHOTOS {
            return Err(bad("too_many_attachments", "处置后照片最多 9 张", "at most 9 photos after handling"));
        }
        for p in &r.after_photos {
            super::attachments::check_photo(p)?;
        }
        self.check_own_uploads(&r.after).await?;
        let checked = self.check_intake(&r.report).await?;
        let category = checked.category.clone();
        if !category.self_handle {
            return Err(AppError::invalid(
                "self_handle_not_allowed",
                Bilingual::new(
                    format!("“{}”不允许自行处置，请按上报流程办理", category.name),
                    format!("category {} may not be handled on the spot; report it instead", category.code),
                ),
            ));
        }
        // Only in the worker's own grid (or one of its micro-grids).
        let place = Place::Grid { code: checked.grid.clone(), parent: checked.general_grid.clone() };
        let day = today();
        let own = self.actor.grants.iter().any(|g| {
            g.role == Role::GridWorker && g.term.contains(day) && g.scope.as_ref().is_some_and(|s| s.covers(&place))
        });
        if !own {
            return Err(AppError::invalid(
                "outside_own_grid",
                Bilingual::new(
                    "该位置不在您负责的网格内，只能在本网格自行处置",
                    "the position is outside your own grid; you may handle matters on the spot only there",
                ),
            ));
        }
        // Checked: now the photos, then the record.
        for p in std::mem::take(&mut r.report.photos) {
            r.report.attachments.push(self.store_photo(&p).await?.id);
        }
        for p in std::mem::take(&mut r.after_photos) {
            r.after.push(self.store_photo(&p).await?.id);
        }
        let fingerprint = fingerprint(&r.report);
        let prepared = self.prepare(&r.report, checked, fingerprint).await?;
        let reported = prepared.new.matter.clone();
        let first = prepared.new.first.clone();
        let now = self.app.now_micros().max(reported.reported_at);
        let role = ActingRole::Role(Role::GridWorker);
        let (next, mut event) = reported
            .apply(&command, now, &self.actor.name, role, r.after.clone())
            .map_err(|refusal| AppError::WrongState { message: refusal.message, allowed: refusal.allowed })?;
        let clock = self.app.timing().after(
            reported.clock.as_ref(),
            &command,
            &reported.status,
            &next.status,
            &category.limits,
            reported.is_urgent(),
            now.timestamp(),
        );
        let mut closed = next.timed(clock, &mut event);
        let prefix = prepared.new.number_prefix.clone();
        let seq = self.app.store.reserve_numbers(&prefix, 1).await?;
        closed.number = format!("{prefix}-{seq:06}");
        self.app.store.insert_matters_bulk(&[(closed.clone(), vec![first, event])]).await?;
        let photos: Vec<String> = r.report.attachments.iter().chain(&r.after).cloned().collect();
        if !photos.is_empty() {
            self.app.store.bind_attachments(&photos, &closed.id, &self.actor.name).await?;
        }
        tracing::info!(number = %closed.number, category = %closed.category, "matter handled on the spot");
        self.view(&closed).await
    }
}
