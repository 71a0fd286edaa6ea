//! Records of the spec, field by field, in the spec's order.

use std::sync::OnceLock;

use shanzhi_app::open311::{
    PostedRequest, PostedUpdate, RequestInfo, SPECIFICATION, ServiceDefinition, ServiceInfo, UpdateInfo,
};

use super::body::Node;

/// When this server started: the discovery `changeset` (the service list can
/// only change through this process or a restart that reloads it).
fn changeset() -> &'static str {
    static AT: OnceLock<String> = OnceLock::new();
    AT.get_or_init(|| shanzhi_app::open311::datetime(shanzhi_domain::Micros::now()))
}

pub fn discovery(base: &str) -> Node {
    Node::Object(vec![
        ("changeset", Node::text(changeset())),
        ("contact", Node::text("善治平台管理员（成都市城乡社区发展治理委员会） / Shanzhi platform administrators")),
        (
            "key_service",
            Node::text("向平台管理员申请 API 令牌（shanzhi token create） / ask the administrators for an API token"),
        ),
        (
            "endpoints",
            Node::list(
                "endpoint",
                vec![Node::Object(vec![
                    ("specification", Node::text(SPECIFICATION)),
                    ("url", Node::text(format!("{base}/open311/v2"))),
                    ("changeset", Node::text(changeset())),
                    ("type", Node::text("production")),
                    ("formats", Node::list("format", vec![Node::text("text/xml"), Node::text("application/json")])),
                ])],
            ),
        ),
    ])
}

pub fn services(services: &[ServiceInfo]) -> Node {
    Node::list(
        "service",
        services
            .iter()
            .map(|s| {
                Node::Object(vec![
                    ("service_code", Node::text(&s.service_code)),
                    ("service_name", Node::text(&s.service_name)),
                    ("description", Node::opt_text(s.description.as_deref())),
                    ("metadata", Node::Bool(s.metadata)),
                    ("type", Node::text(s.r#type)),
                    ("keywords", Node::text(s.keywords.join(","))),
                    ("group", Node::opt_text(s.group.as_deref())),
                ])
            })
            .collect(),
    )
}

pub fn definition(d: &ServiceDefinition) -> Node {
    let attributes = d
        .attributes
        .iter()
        .map(|a| {
            Node::Object(vec![
                ("variable", Node::Bool(true)),
                ("code", Node::text(&a.code)),
                ("datatype", Node::text(a.datatype.as_str())),
                ("required", Node::Bool(a.required)),
                ("datatype_description", Node::opt_text(Some(&a.datatype_description).filter(|d| !d.is_empty()))),
                ("order", Node::Integer(i64::from(a.order))),
                ("description", Node::text(&a.description)),
                (
                    "values",
                    Node::list(
                        "value",
                        a.values
                            .iter()
                            .map(|v| Node::Object(vec![("key", Node::text(&v.key)), ("name", Node::text(&v.name))]))
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    Node::Object(vec![
        ("service_code", Node::text(&d.service_code)),
        ("attributes", Node::list("attribute", attributes)),
    ])
}

fn media_url(base: &str, id: &str) -> String {
    format!("{base}/open311/v2/media/{id}")
}

pub fn requests(requests: &[RequestInfo], base: &str) -> Node {
    Node::list(
        "request",
        requests
            .iter()
            .map(|r| {
                let mut fields = vec![
                    ("service_request_id", Node::text(&r.service_request_id)),
                    ("status", Node::text(r.status)),
                    ("status_notes", Node::opt_text(r.status_notes.as_deref())),
                    ("service_name", Node::opt_text(r.service_name.as_deref())),
                    ("service_code", Node::text(&r.service_code)),
                    ("description", Node::opt_text(r.description.as_deref())),
                    ("agency_responsible", Node::opt_text(r.agency_responsible.as_deref())),
                    ("service_notice", Node::opt_text(r.service_notice.as_deref())),
                    ("requested_datetime", Node::text(&r.requested_datetime)),
                    ("updated_datetime", Node::opt_text(r.updated_datetime.as_deref())),
                    ("expected_datetime", Node::opt_text(r.expected_datetime.as_deref())),
                    ("address", Node::opt_text(r.address.as_deref())),
                    ("address_id", Node::opt_text(r.address_id.as_deref())),
                    ("zipcode", Node::opt_text(r.zipcode.as_deref())),
                    ("lat", Node::opt_number(r.lat)),
                    ("long", Node::opt_number(r.long)),
                    ("media_url", Node::opt_text(r.media_url.as_deref().map(|m| media_url(base, m)))),
                ];
                if let Some(x) = &r.extended {
                    fields.push((
                        "extended_attributes",
                        Node::Object(vec![
                            ("detailed_status", Node::text(x.detailed_status)),
                            ("detailed_status_name", Node::text(x.detailed_status_name)),
                            ("channel", Node::text(&x.channel)),
                            ("level", Node::text(x.level)),
                            ("warning", Node::text(x.warning)),
                            (
                                "media_urls",
                                Node::list(
                                    "media_url",
                                    x.media.iter().map(|m| Node::text(media_url(base, m))).collect(),
                                ),
                            ),
                        ]),
                    ));
                    fields.push((
                        "notes",
                        Node::list(
                            "note",
                            x.notes
                                .iter()
                                .map(|n| {
                                    Node::Object(vec![
                                        ("datetime", Node::text(&n.datetime)),
                                        ("type", Node::text(&n.r#type)),
                                        ("summary", Node::text(&n.summary)),
                                        ("description", Node::opt_text(n.description.as_deref())),
                                    ])
                                })
                                .collect(),
                        ),
                    ));
                }
                Node::Object(fields)
            })
            .collect(),
    )
}

pub fn posted(p: &PostedRequest) -> Node {
    Node::list(
        "request",
        vec![Node::Object(vec![
            ("service_request_id", Node::text(&p.service_request_id)),
            ("token", Node::text(&p.token)),
            ("service_notice", Node::opt_text(p.service_notice.as_deref())),
            ("account_id", Node::opt_text(p.account_id.as_deref())),
        ])],
    )
}

/// What `POST servicerequestupdates` answers: our id of the update.
pub fn posted_update(p: &PostedUpdate) -> Node {
    Node::list("request_update", vec![Node::Object(vec![("update_id", Node::text(&p.update_id))])])
}

pub fn token(number: &str, token: &str) -> Node {
    Node::list(
        "request",
        vec![Node::Object(vec![("service_request_id", Node::text(number)), ("token", Node::text(token))])],
    )
}

pub fn updates(updates: &[UpdateInfo], base: &str) -> Node {
    Node::list(
        "request_update",
        updates
            .iter()
            .map(|u| {
                Node::Object(vec![
                    ("update_id", Node::text(&u.update_id)),
                    ("service_request_id", Node::text(&u.service_request_id)),
                    ("status", Node::text(u.status)),
                    ("updated_datetime", Node::text(&u.updated_datetime)),
                    ("description", Node::text(&u.description)),
                    ("media_url", Node::opt_text(u.media_url.as_deref().map(|m| media_url(base, m)))),
                ])
            })
            .collect(),
    )
}
