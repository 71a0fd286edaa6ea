//! Targets for what clients send: Open311 forms and query strings, command
//! bodies, the matter list's query string, JSON reports, attribute answers
//! and multipart forms.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use shanzhi_app::fuzz::{open311_paging, open311_window, parse_command};
use shanzhi_app::open311::{MAX_DEPTH, MAX_PAGE_SIZE, WINDOW_DAYS, datetime, parse_datetime};
use shanzhi_domain::CommandKind;
use shanzhi_domain::attribute::{AttributeValue, parse_answers};
use shanzhi_domain::{Answer, Assignee, Attribute, Datatype, Level, MatterState, Rating, Status};
use shanzhi_web::fuzz::{MAX_FIELD_CHARS, MAX_FILES, MAX_PARAMS, MAX_PARTS, Params};

use crate::input::{Input, SEP};

const DAY_MICROS: i64 = 86_400_000_000;

/// Names the Open311 handlers read, besides those the input itself uses.
const OPEN311_NAMES: [&str; 20] = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "updated_after",
    "jurisdiction_id",
    "page",
    "page_size",
    "count",
    "extensions",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "media_url",
    "api_key",
    "phone",
    "first_name",
];

/// A form body or query string (`application/x-www-form-urlencoded`).
pub fn open311_form(data: &[u8]) {
    let params = Params::from_form(data);
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(data).take(MAX_PARAMS + 1).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let kept = &pairs[..pairs.len().min(MAX_PARAMS)];
    let mut names: BTreeSet<&str> = kept.iter().map(|(k, _)| k.as_str()).collect();
    names.extend(OPEN311_NAMES);
    // Pairs past the bound are not read.
    if let Some((extra, _)) = pairs.get(MAX_PARAMS)
        && !names.contains(extra.as_str())
    {
        assert!(params.all(extra).is_empty(), "pair {} of at most {MAX_PARAMS} was read", MAX_PARAMS + 1);
    }
    // The kept pairs, encoded again, read the same.
    let mut encoder = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        encoder.append_pair(k, v);
    }
    let again = Params::from_form(encoder.finish().as_bytes());
    for name in &names {
        let value = params.get(name);
        assert_eq!(value, again.get(name), "re-encoded form reads {name} differently");
        assert_eq!(params.all(name), again.all(name));
        assert!(value.is_none_or(|v| !v.is_empty() && v.trim() == v), "{name}={value:?}");
        for item in params.list(name) {
            assert!(!item.is_empty() && item.trim() == item && !item.contains(','), "list item {item:?}");
        }
        match params.number(name) {
            Ok(Some(n)) => assert_eq!(value.map(str::parse::<usize>), Some(Ok(n))),
            Ok(None) => assert!(value.is_none()),
            Err(m) => assert!(!m.en.is_empty() && value.is_some()),
        }
    }
    let attributes = params.attributes();
    assert_eq!(attributes, again.attributes(), "re-encoded attributes differ");
    assert!(attributes.keys().all(|k| !k.is_empty() && !k.contains(['[', ']'])), "{attributes:?}");
    assert!(attributes.values().map(Vec::len).sum::<usize>() <= kept.len());

    // What the handlers make of them.
    let post = shanzhi_web::fuzz::open311_request_post(&params);
    assert_eq!(post.attributes, attributes);
    assert_eq!(post.media_urls, params.all("media_url"));
    let _ = shanzhi_web::fuzz::open311_update_filter(&params);
    let Ok(filter) = shanzhi_web::fuzz::open311_request_filter(&params) else { return };
    assert_eq!(filter.statuses, params.list("status"));
    let now = 1_795_000_000_000_000; // late 2026
    if let Ok((from, to)) = open311_window(filter.start_date.as_deref(), filter.end_date.as_deref(), now) {
        assert!(from < to && to - from <= WINDOW_DAYS * DAY_MICROS + 1, "window [{from}, {to})");
    }
    if let Ok((skip, take)) = open311_paging(filter.page, filter.page_size) {
        assert!((1..=MAX_PAGE_SIZE).contains(&take) && skip + take <= MAX_DEPTH, "skip {skip} take {take}");
    }
    for text in [&filter.start_date, &filter.end_date, &filter.updated_after].into_iter().flatten() {
        if let Ok(at) = parse_datetime("start_date", text) {
            let micros = at.get();
            // What the server writes for an instant, it reads back (to the second).
            let written = datetime(at);
            if !written.is_empty() {
                let back = parse_datetime("x", &written);
                assert_eq!(
                    back.ok().map(|b| b.get()),
                    Some(micros - micros.rem_euclid(1_000_000)),
                    "{text} → {written}"
                );
            }
        }
    }
}

/// First byte: the command (one of the 20, or an unknown name from the
/// first field); the rest: the JSON body as the handler gets it.
pub fn command(data: &[u8]) {
    let mut input = Input::new(data);
    let pick = usize::from(input.byte());
    let unknown;
    let name = match CommandKind::ALL.get(pick % 24) {
        Some(k) => k.name(),
        None => {
            unknown = input.text_field(SEP);
            unknown.as_str()
        }
    };
    let body = input.rest();
    // As the handler: a blank body is no arguments, anything else must be JSON.
    let args = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    let (command, attachments) = match parse_command(name, args) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert!(!e.message().en.is_empty());
            return;
        }
    };
    assert_eq!(command.name(), name);
    assert!(attachments.len() <= 9, "{} attachments", attachments.len());
    // What the timeline stores parses back to the same command.
    let stored = serde_json::to_value(&command).unwrap_or_else(|e| panic!("{command:?} does not serialise: {e}"));
    match parse_command(name, stored) {
        Ok((again, none)) => assert!(again == command && none.is_empty(), "{again:?} != {command:?}"),
        Err(e) => panic!("{command:?} stored does not parse back: {}", e.message().en),
    }
    if command.validate().is_err() {
        return;
    }
    for status in statuses() {
        let allowed = status.allowed();
        match status.apply(&command) {
            Ok(next) => {
                assert!(status.fits(command.kind()), "{name} applied in {status:?} but does not fit");
                // A note fits every state and is no step, and 自行处置 comes only
                // with the report: `allowed` lists neither.
                let unlisted = matches!(command.kind(), CommandKind::Note | CommandKind::SelfHandle);
                let listed = allowed.contains(&command.kind()) || unlisted;
                assert!(listed, "{name} applied in {status:?} but not allowed");
                assert!(next.is_valid(), "{name} on {status:?} gave {next:?}");
            }
            Err(refusal) => {
                assert!(!status.fits(command.kind()), "{name} fits {status:?} but was refused");
                assert!(!allowed.contains(&command.kind()), "{name} allowed in {status:?} but refused");
                assert_eq!(refusal.allowed, allowed);
            }
        }
    }
}

/// A status of every state and level that a timeline can reach, with and
/// without a pending request (the state machine assumes it starts valid).
fn statuses() -> Vec<Status> {
    let mut out = Vec::new();
    for state in MatterState::ALL {
        for level in [Level::Grid, Level::Community, Level::Town, Level::District] {
            for (extension, park) in [(None, false), (Some(24), false), (None, true)] {
                let mut s =
                    Status { state, extension_requested: extension, park_requested: park, ..Status::reported(level) };
                if state.is_handled() {
                    s.assignee = Some(Assignee::Community);
                }
                if state == MatterState::Rated {
                    s.rating = Some(Rating::Unsatisfied);
                }
                if state == MatterState::Merged {
                    s.merged_into = Some("510104-20261128-000001".to_owned());
                }
                if s.is_valid() {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// `GET /api/v1/matters?…`: the query string (as text; a URI carries no other).
pub fn matter_query(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    match shanzhi_web::fuzz::matter_list_query(&query) {
        Ok(q) => {
            let distinct: BTreeSet<_> = q.states.iter().map(|s| s.to_string()).collect();
            assert_eq!(distinct.len(), q.states.len(), "repeated states {:?}", q.states);
            let colours: BTreeSet<_> = q.warnings.iter().map(|w| format!("{w:?}")).collect();
            assert_eq!(colours.len(), q.warnings.len(), "repeated colours {:?}", q.warnings);
            assert!(q.text.as_deref().is_none_or(|t| !t.is_empty() && t.chars().count() <= 100));
        }
        Err(Some(e)) => assert!(e.status.is_client_error(), "{e:?}"),
        Err(None) => {}
    }
}

/// `POST /api/v1/matters`: the JSON body.
pub fn report_body(data: &[u8]) {
    match shanzhi_web::fuzz::report_body(data) {
        Ok(r) => {
            assert!(r.idempotency_key.is_none() && r.external_ref.is_none() && r.reported_at.is_none());
            // The answers go on to the category's attributes.
            let _ = parse_answers(attributes(), &r.attributes);
        }
        Err(e) => assert!(e.status.is_client_error(), "{e:?}"),
    }
}

/// One attribute of every datatype, as a category might ask them.
fn attributes() -> &'static [Attribute] {
    static ALL: OnceLock<Vec<Attribute>> = OnceLock::new();
    ALL.get_or_init(|| {
        let attribute = |code: &str, datatype, required, values: &[&str]| Attribute {
            code: code.to_owned(),
            datatype,
            required,
            description: format!("{code}?"),
            datatype_description: String::new(),
            order: 1,
            values: values.iter().map(|k| AttributeValue { key: (*k).to_owned(), name: k.to_uppercase() }).collect(),
        };
        vec![
            attribute("s", Datatype::String, false, &[]),
            attribute("n", Datatype::Number, false, &[]),
            attribute("d", Datatype::Datetime, false, &[]),
            attribute("t", Datatype::Text, false, &[]),
            attribute("level", Datatype::Singlevaluelist, true, &["low", "high"]),
            attribute("many", Datatype::Multivaluelist, false, &["gas", "ebike", "wires"]),
        ]
    })
}

/// Attribute answers as JSON (`{"code": "value" | ["k1", "k2"]}`).
pub fn answers(data: &[u8]) {
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(data) else { return };
    let given: BTreeMap<String, Vec<String>> = object
        .into_iter()
        .map(|(k, v)| {
            let texts = match v {
                serde_json::Value::Array(items) => {
                    items.iter().map(|i| i.as_str().map_or(i.to_string(), str::to_owned)).collect()
                }
                serde_json::Value::String(s) => vec![s],
                serde_json::Value::Null => Vec::new(),
                other => vec![other.to_string()],
            };
            (k, texts)
        })
        .collect();
    let all = attributes();
    let Ok(parsed) = parse_answers(all, &given) else { return };
    for a in all {
        let answer = parsed.get(&a.code);
        assert!(!a.required || answer.is_some(), "required {} missing", a.code);
        let allowed = |k: &str| a.values.iter().any(|v| v.key == k);
        match (a.datatype, answer) {
            (_, None) => {}
            (Datatype::Number, Some(Answer::Number(x))) => assert!(x.is_finite()),
            (Datatype::Singlevaluelist, Some(Answer::Text(k))) => assert!(allowed(k), "{k}"),
            (Datatype::Multivaluelist, Some(Answer::Keys(keys))) => {
                let distinct: BTreeSet<_> = keys.iter().collect();
                assert!(distinct.len() == keys.len() && keys.iter().all(|k| allowed(k)), "{keys:?}");
            }
            (Datatype::String | Datatype::Text | Datatype::Datetime, Some(Answer::Text(_))) => {}
            (datatype, Some(other)) => panic!("{datatype:?} answered as {other:?}"),
        }
    }
    assert!(parsed.keys().all(|k| all.iter().any(|a| &a.code == k)), "unknown attribute accepted");
}

/// First byte: even, a multipart type with the boundary `XyZ`; odd, the
/// content type from the first field. The rest: the body.
pub fn multipart(data: &[u8]) {
    let mut input = Input::new(data);
    let content_type = if input.byte().is_multiple_of(2) {
        "multipart/form-data; boundary=XyZ".to_owned()
    } else {
        input.text_field(SEP)
    };
    let body = input.rest().to_vec();
    let read = runtime().block_on(shanzhi_web::fuzz::multipart(&content_type, body));
    let Ok((fields, files)) = read else { return };
    assert!(fields.len() + files.len() <= MAX_PARTS, "{} parts", fields.len() + files.len());
    assert!(files.len() <= MAX_FILES && files.iter().all(|f| !f.is_empty()), "{} files", files.len());
    assert!(fields.iter().all(|(_, v)| v.chars().count() <= MAX_FIELD_CHARS), "an over-long field");
}

/// One runtime for the async targets of this thread (libFuzzer runs one thread).
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("no tokio runtime: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the coverage-guided run: a note applies in every state
    /// though `allowed` does not list it.
    #[test]
    fn a_note_applies_in_every_state() {
        let at = CommandKind::ALL.iter().position(|k| *k == CommandKind::Note).expect("a note");
        let mut input = vec![u8::try_from(at).expect("small")];
        input.extend_from_slice("{\"text\":\"已更换井盖\"}".as_bytes());
        command(&input);
    }
}
