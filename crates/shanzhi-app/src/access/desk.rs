//! Capability handles ("desks"): a narrow handle per role family, handed out
//! only to a caller who holds that family's grant, so that a use case the
//! caller may not use cannot even be called (lldap's `get_admin_handler`).
//! The family is checked once, when the desk opens; a method still checks the
//! place it touches (an administrator of one district is not one of another).
//!
//! ```text
//! let desk = scoped.desk::<PeopleDesk>()?;   // 403 here, or never again
//! desk.create_user(new).await?;
//! ```

use std::ops::Deref;

use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, DivisionLevel, Role, Scope};

use super::{Scoped, Via, refuse};
use crate::grids::today;
use crate::{AppError, AppResult};

/// A handle the caller gets only with the grant it stands for.
pub trait Desk<'s>: Sized {
    /// The desk, if the caller holds its grant (today).
    fn open(scoped: &'s Scoped<'s>) -> Option<Self>;
    /// The answer to a caller without the grant.
    fn refusal() -> AppError;
}

impl<'a> Scoped<'a> {
    /// The desk `D`, or the refusal of its action.
    pub fn desk<'s, D: Desk<'s>>(&'s self) -> AppResult<D>
    where
        'a: 's,
    {
        D::open(self).ok_or_else(D::refusal)
    }

    /// Whether the caller may open desk `D` (to show or hide a menu).
    pub fn has_desk<'s, D: Desk<'s>>(&'s self) -> bool
    where
        'a: 's,
    {
        D::open(self).is_some()
    }

    /// A grant for `action` whose scope is the whole city or more (platform-wide edits).
    fn city_wide(&self, action: Action) -> bool {
        let day = today();
        self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                g.term.contains(day)
                    && g.role.allows(action)
                    && matches!(&g.scope, Some(Scope::Division(d)) if d.level() <= DivisionLevel::City)
            })
    }
}

macro_rules! desks {
    ($($(#[$doc:meta])* $name:ident: $refusal:expr, |$s:ident| $opens:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'s> {
            scoped: &'s Scoped<'s>,
        }

        impl<'s> Desk<'s> for $name<'s> {
            fn open($s: &'s Scoped<'s>) -> Option<Self> {
                ($opens).then_some($name { scoped: $s })
            }
            fn refusal() -> AppError {
                $refusal
            }
        }

        impl<'s> Deref for $name<'s> {
            type Target = Scoped<'s>;
            fn deref(&self) -> &Scoped<'s> {
                self.scoped
            }
        }
    )*};
}

desks! {
    /// Accounts, assignments and departments, for an administrator (each
    /// method checks the place: the new assignment's scope, the department).
    AdminDesk: refuse(Action::ManagePeople), |s| s.actor.can_somewhere(Action::ManagePeople);
    /// The platform-wide settings: category dictionary, duty lists, grid and
    /// division imports, the working-day calendar. A city-wide administrator.
    CityDesk: refuse(Action::ManageDictionary),
        |s| s.city_wide(Action::ManageDictionary) && s.city_wide(Action::ManageCalendar);
    /// The admin audit log, which spans the platform: a city-wide supervisor
    /// or administrator.
    AuditDesk: refuse(Action::ViewAudit), |s| s.city_wide(Action::ViewAudit);
    /// Patrols of one's own grids, for a grid worker.
    PatrolDesk: refuse(Action::Patrol), |s| s.actor.user_id().is_some() && s.actor.can_somewhere(Action::Patrol);
    /// The dispatch centre's bulk work (hotline imports), for a dispatcher
    /// or the operator.
    DispatchDesk: AppError::Forbidden(Bilingual::new(
        "只有调度员可以导入 12345 热线工单",
        "only a dispatcher may import hotline orders",
    )), |s| s.actor.via == Via::System || s.actor.has_role(Role::Dispatcher);
}
