"""How much of what schemathesis generated from /api/openapi.json the server
refused for lack of patterns: a request the document allowed but the server
refused as malformed (a code, a period, a date, a length the document did not
state). Reads schemathesis' HAR report (`st run --mode positive --report har`).

Refusals a per-value schema cannot prevent are counted apart, by their error
code: rules between fields, the state of the data, secrets and file contents
(RULES below, each with why). Everything else answered 400 or 422 counts as a
refusal for lack of patterns.

Usage: python schemathesis-rejections.py HAR_FILE [MAX_PERCENT]
Exit status 1 when the share for lack of patterns is MAX_PERCENT or more.
"""

import collections
import json
import sys

RULES = {
    # Rules between fields (a JSON Schema per field cannot say them).
    "contradictory_filters": "warning= and overdue= together",
    "invalid_term": "valid_to after valid_from",
    "invalid_date_range": "from and to together, in order, at most 366 days, not with period",
    "missing_location": "lng and lat, or grid",
    "missing_scope": "the role decides whether a scope is needed",
    "scope_does_not_fit_role": "the role decides the scope's level",
    "invalid_scope": "the role or the unit kind decides the scope",
    "invalid_thresholds": "orange below yellow",
    "code_mismatch": "the path's code and the body's",
    "invalid_arguments": "each command has its own arguments",
    "invalid_scheme": "weights that add up, bands in order",
    "weak_password": "three kinds of characters or 16 of them",
    "invalid_method": "a method's steps checked together (codes, bodies, votes, notices)",
    "invalid_query": "at most 5 words in a case search (words are what the fold splits)",
    "invalid_fund_lists": "a list's items checked together (names, words, how many)",
    "invalid_budget": "a budget's lines checked together (unique items, amounts)",
    "invalid_activity": "an activity's fields checked together (a point needs both coordinates)",
    "invalid_time": "an activity ends after it starts, within 3 days, on a real calendar day",
    "invalid_point": "a check-in position gives lng and lat together",
    "callback_answers_missing": "a reached call-back answers all three questions",
    "callback_answers_unreached": "an unreachable call-back has no answers",
    "invalid_callback_settings": "unit keys that name units, a script of 1-2000 characters",
    "invalid_preferences": "quiet hours need both ends and differ; e-mail notices need an address; a channel must be offered here",
    # The state of the data.
    "log_out_of_range": "a tree size beyond the log's",
    "idempotency_key_reused": "the key was used for another request",
    "invalid_cursor": "a cursor is an opaque token the server gave",
    "department_exists": "taken",
    "username_taken": "taken",
    "overlapping_terms": "an assignment already covers the time",
    "too_many_tokens": "a cap on live tokens",
    "too_many_grids": "more grids than one answer carries",
    "unknown_division": "no such division",
    "unknown_grid": "no such grid",
    "unknown_scope": "no such unit",
    "unknown_category": "no such category",
    "unknown_attachment": "no such upload",
    "outside_grid": "the point lies outside every grid",
    "unknown_method": "no such work method in the community",
    "step_out_of_turn": "the proposal is at another step",
    "no_vote_here": "the meeting's step is decided without a vote",
    "notice_running": "the notice period has not ended",
    "cannot_withdraw": "decided proposals stay",
    "unknown_place": "no such division among a case's places",
    "unknown_link": "no such proposal or matter linked from a case",
    "case_state": "the article is in another state of its review",
    "case_changed": "the article moved on from the version read",
    "code_spent": "no live sign-in code for the phone (used, replaced or guessed wrong too often)",
    "code_expired": "the sign-in code's five minutes are over",
    "consent_required": "a first sign-in by code needs consent (the phone has no account yet)",
    "already_claimed": "the matter has a reporter's account already",
    "no_phone": "the account has no phone to send a code to",
    "password_exists": "a first password only while the account has none",
    "fund_negative_list": "the text names an item of the fund's negative list",
    "no_budget_step": "the proposal is at a step that sets no budget",
    "budget_below_committed": "more is already reserved for the proposal",
    "over_budget": "the commitment passes the decided budget",
    "no_budget_line": "the proposal's budget decides which lines a payment may name",
    "over_budget_line": "the line has less left",
    "invalid_org": "no such organisation (of that kind) in the community",
    "unknown_user": "no such account to make a member",
    "not_signed_up": "the caller holds no place in the activity",
    "unplaced": "a register record needs a point, a grid or a parent",
    "wrong_parent": "a household belongs to a building, a resident to a household",
    "kind_changed": "a register record keeps its kind",
    "version_missing": "an edit names the version it was made from",
    "id_number_changed": "an ID number cannot change",
    "invalid_register_record": "an ID number's check digit and birth date; a household needs its building",
    "already_registered": "the ID number is registered",
    "unknown_care_reason": "the configured list of care reasons",
    "unknown_worker": "no such user",
    "not_a_resident": "only a resident is marked for care",
    "invalid_visit_day": "between the marking's start and today",
    "care_ended": "the care marking has ended",
    "already_marked": "the resident is marked for care",
    "no_care_key": "the server has no care key configured",
    "not_a_street": "a street is a 9-digit town code",
    "visit_whom": "a visit names a resident or a care mark, one of them",
    "visit_outside_grid": "the visit's position lies outside the visited person's grid",
    "visit_has_matter": "a matter was already reported from the visit",
    "invalid_raised": "what was raised is more than spaces",
    "empty_comment": "a comment is more than spaces",
    "log_closed": "only today's notes can be written",
    "invalid_day": "a day's log is not commented before the day",
    "invalid_due_date": "a task is due on a working day not yet past (the calendar decides)",
    "invalid_assignees": "a task is given to 1-200 workers or grids together",
    "outside_task_division": "a task's grids and sites lie in its community or street",
    "not_a_grid_worker_here": "a task's workers are grid workers of its community or street",
    "no_sites": "a task has at least one site, from the register or named",
    "too_many_sites": "a task's sites from the register and named together, at most 2000",
    "no_grids_for_register": "sites from the register need the task's grids or workers",
    "not_a_site_kind": "a register record that is a building, organisation or facility",
    "unknown_register_record": "no such register record",
    "invalid_mark": "a problem found needs its note",
    "unknown_photo": "no such upload",
    "unknown_matter": "no such matter",
    "task_not_done": "a task is completed once every site is checked",
    "within_street_or_community": "grid-work figures are for one street or community",
    "invalid_unit_kind": "grid-work figures are by community, grid or worker",
    # Secrets and file contents.
    "import_rejected": "a register or hotline file's rows, checked whole",
    "witness_request_invalid": "a signed checkpoint",
    "invalid_checkin_code": "the organiser's rotating code (HMAC of a server secret)",
    "invalid_redemption_code": "a redemption code the server issued",
    "empty_calendar_file": "a calendar file with dates",
    "invalid_calendar_file": "a calendar file's lines",
}


def main():
    har = json.load(open(sys.argv[1], encoding="utf-8"))
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else None
    entries = har["log"]["entries"]
    patterns, rules = collections.Counter(), collections.Counter()
    for e in entries:
        if e["response"]["status"] not in (400, 422):
            continue
        try:
            code = json.loads(e["response"]["content"]["text"])["error"]["code"]
        except (KeyError, TypeError, ValueError):
            code = "(no JSON error)"
        (rules if code in RULES else patterns)[code] += 1
    total = len(entries)
    share = 100 * sum(patterns.values()) / total if total else 0.0
    print(f"requests: {total}")
    print(f"refused for lack of patterns: {sum(patterns.values())} ({share:.1f} %)")
    for code, n in patterns.most_common():
        print(f"  {code}: {n}")
    print(f"refused by rules, state or contents: {sum(rules.values())}")
    for code, n in rules.most_common():
        print(f"  {code}: {n} ({RULES[code]})")
    if limit is not None and share >= limit:
        sys.exit(f"{share:.1f} % refused for lack of patterns: at least {limit} %")


if __name__ == "__main__":
    main()
