//! The contract suite every backend must pass. A backend's contract tests
//! call [`contract_tests!`](crate::contract_tests) with an async factory that
//! returns a fresh, migrated, empty store wrapped in a [`Fixture`].
//!
//! Each case is a plain async function over `&dyn Store`, so a failing case
//! names the same behaviour on every backend.

mod callbacks;
mod cases;
mod deliberation;
mod desk;
mod divisions;
mod figures;
mod grids;
mod matters;
mod meta;
mod notify;
mod people;
mod rankings;
mod register;
mod rollups;
mod search;
mod signup;
mod tasks;
mod timing;
mod tlog;
mod visits;
mod volunteers;

use std::any::Any;
use std::sync::Arc;

use shanzhi_domain::{CodeSystem, Division, DivisionCode, DivisionName};

use crate::Store;

pub use callbacks::*;
pub use cases::*;
pub use deliberation::*;
pub use desk::*;
pub use divisions::*;
pub use figures::*;
pub use grids::*;
pub use matters::*;
pub use meta::*;
pub use notify::*;
pub use people::*;
pub use rankings::*;
pub use register::*;
pub use rollups::*;
pub use search::*;
pub use signup::*;
pub use tasks::*;
pub use timing::*;
pub use tlog::*;
pub use visits::*;
pub use volunteers::*;

/// A fresh store plus whatever keeps it alive (a temp dir, a throw-away schema).
pub struct Fixture {
    pub store: Arc<dyn Store>,
    _guard: Box<dyn Any + Send + Sync>,
}

impl Fixture {
    pub fn new(store: Arc<dyn Store>, guard: impl Any + Send + Sync) -> Self {
        Fixture { store, _guard: Box::new(guard) }
    }
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture").field("store", &self.store).finish_non_exhaustive()
    }
}

/// Build a division for tests; panics on an invalid code or name.
pub fn division(system: CodeSystem, code: &str, name: &str) -> Division {
    Division {
        code_system: system,
        code: DivisionCode::parse(code).expect("test code"),
        name: DivisionName::parse(name).expect("test name"),
    }
}

pub fn code(s: &str) -> DivisionCode {
    DivisionCode::parse(s).expect("test code")
}

/// The divisions the grid, people and matter cases file under: Sichuan →
/// Chengdu → two districts → streets → communities, parents first.
async fn with_divisions(store: &dyn Store) {
    const CHENGDU: [(&str, &str); 10] = [
        ("51", "四川省"),
        ("5101", "成都市"),
        ("510104", "锦江区"),
        ("510105", "青羊区"),
        ("510104022", "春熙路街道"),
        ("510104022001", "和平社区"),
        ("510104022002", "北糠市街社区"),
        ("510104022006", "总府路社区"),
        ("510105002", "草市街街道"),
        ("510105002001", "某社区"),
    ];
    let divisions: Vec<Division> =
        CHENGDU.iter().map(|(code, name)| division(CodeSystem::Nbs2023, code, name)).collect();
    store.upsert_divisions(&divisions).await.expect("divisions");
}

/// Instantiate every contract case as a `#[tokio::test]` over `$factory`, an
/// async fn returning `Option<Fixture>` (`None` only where the backend is not
/// configured outside CI; the factory itself decides and says so).
#[macro_export]
macro_rules! contract_tests {
    ($factory:path) => {
        $crate::contract_tests!(@cases $factory;
            schema_info_reports_the_latest_migration,
            contents_count_what_the_store_holds,
            divisions_round_trip,
            children_are_ordered_and_roots_have_no_parent,
            reimporting_the_same_divisions_changes_nothing,
            renaming_a_division_counts_as_an_update,
            an_orphan_rolls_back_the_whole_batch,
            code_systems_never_mix,
            counts_by_level_cover_exactly_the_subtree,
            lookup_by_codes_returns_only_existing_in_order,
            divisions_are_found_by_name_in_an_address,
            divisions_are_found_by_part_of_a_name_or_a_code_within_a_subtree,
            large_batches_are_written_whole,
            settings_round_trip,
            grids_round_trip_and_count_revisions,
            a_recut_closes_the_old_version_and_keeps_history,
            a_same_day_recut_replaces_and_an_earlier_one_is_refused,
            an_unknown_community_rolls_back_the_whole_change,
            grid_queries_filter_by_community_town_kind_and_box,
            grids_are_found_by_part_of_a_name_or_a_code,
            community_grid_contacts_name_the_grids_and_their_workers_without_geometry,
            people_and_assignments_round_trip,
            users_are_read_many_at_once,
            a_profile_change_is_written_with_its_audit_entry,
            sessions_tokens_and_login_failures,
            throttle_hits_are_atomic,
            sms_codes_are_counted_used_once_and_replaced,
            residents_claim_and_are_erased_keeping_their_matters,
            patrols_keep_their_check_ins,
            patrol_tracks_are_appended_whole_and_bounded,
            the_audit_log_is_a_hash_chain,
            scheme_versions_are_numbered_per_unit_type,
            published_rankings_are_chained_logged_and_unique,
            methods_and_members_are_kept_with_their_terms,
            proposals_move_on_only_from_the_version_read,
            votes_are_chained_and_cast_once_in_an_open_meeting,
            a_secret_ballot_keeps_the_voter_apart_in_the_chain,
            the_fund_ledger_is_appended_in_order_only,
            articles_keep_every_version_and_move_on_only_from_the_state_read,
            register_records_are_versioned_and_listed_by_place,
            care_marks_are_one_open_per_resident_and_purged_on_their_day,
            register_map_places_have_a_point_their_counts_and_their_care_marks,
            visits_are_kept_once_per_key_and_move_the_care_mark,
            daily_log_notes_are_replaced_and_comments_kept,
            tasks_are_written_whole_and_move_on_only_from_the_version_read,
            tasks_are_listed_by_place_assignee_and_time_and_found_by_the_sweep,
            articles_are_listed_by_state_subtree_kind_tag_and_words,
            fund_lists_are_versioned_per_community,
            budgets_are_versioned_per_proposal,
            matters_are_numbered_and_retries_are_safe,
            a_batch_of_matters_is_written_whole_or_not_at_all,
            events_append_in_order_and_conflicts_are_refused,
            timelines_read_in_batches_and_finished_matters_drop_out,
            matter_queries_stay_in_scope_and_page_by_keyset,
            matters_list_due_first_and_page_in_that_order,
            matters_are_found_by_the_reporters_phone,
            search_finds_exactly_the_matters_that_hold_the_words,
            open311_reads_by_number_change_time_public_line_and_feed,
            departments_see_what_is_dispatched_to_them,
            categories_are_versioned_and_duties_are_kept,
            attachments_are_stored_and_bound_once,
            likely_repeats_are_marked_beside_the_record,
            bulk_matters_keep_numbers_unique,
            call_back_tasks_come_with_the_closure_and_move_on_once,
            concurrent_reports_get_gapless_numbers_and_fail_alone,
            leases_go_to_one_holder_and_expire,
            notifications_are_written_with_their_event_or_not_at_all,
            notification_leases_expire_and_outcomes_need_the_lease,
            notification_preferences_round_trip,
            push_cursors_move_only_from_where_they_were,
            notices_without_an_event_are_written_once,
            a_new_matter_numbers_its_notices_and_a_repeat_writes_none,
            a_batch_writes_its_grouped_notices_with_it_or_not_at_all,
            calendar_days_round_trip,
            the_sweep_writes_due_matters_once,
            every_record_is_logged_in_its_own_transaction,
            a_refused_write_leaves_no_leaf,
            concurrent_writers_keep_one_tree_and_its_proofs_verify,
            checkpoints_and_witnessed_heads_are_kept,
            figure_parts_are_marked_stale_with_every_entry_and_summed_by_unit,
            rolled_up_sums_equal_the_parts_after_random_replacements,
            the_roster_waits_beyond_capacity_and_promotes_in_order,
            attendance_is_recorded_once_and_earns_points_with_it,
            redemptions_take_stock_and_points_together_and_confirm_once,
        );
    };
    (@cases $factory:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                if let Some(fixture) = $factory().await {
                    $crate::testkit::$case(fixture.store.as_ref()).await;
                }
            }
        )*
    };
}
