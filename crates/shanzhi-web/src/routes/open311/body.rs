//! One description of a response body, rendered as the spec's JSON or XML:
//! XML containers become JSON arrays (even of one), `null` becomes an empty
//! element, booleans are `true`/`false` text.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Number(f64),
    Integer(i64),
    Bool(bool),
    Null,
    /// Named fields in order.
    Object(Vec<(&'static str, Node)>),
    /// Repeated elements named `item` in XML, an array in JSON.
    List {
        item: &'static str,
        items: Vec<Node>,
    },
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Node {
        s.map_or(Node::Null, |s| Node::Text(s.into()))
    }

    pub fn opt_number(x: Option<f64>) -> Node {
        x.map_or(Node::Null, Node::Number)
    }

    pub fn list(item: &'static str, items: Vec<Node>) -> Node {
        Node::List { item, items }
    }

    #[cfg(test)]
    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    fn write_xml(&self, name: &str, out: &mut String) {
        match self {
            Node::Null => {
                out.push('<');
                out.push_str(name);
                out.push_str("/>");
            }
            Node::Object(fields) => {
                open(name, out);
                for (k, v) in fields {
                    v.write_xml(k, out);
                }
                close(name, out);
            }
            Node::List { item, items } => {
                open(name, out);
                for i in items {
                    i.write_xml(item, out);
                }
                close(name, out);
            }
            Node::Text(s) => leaf(name, &escape(s), out),
            Node::Number(x) => leaf(name, &x.to_string(), out),
            Node::Integer(i) => leaf(name, &i.to_string(), out),
            Node::Bool(b) => leaf(name, if *b { "true" } else { "false" }, out),
        }
    }
}

fn open(name: &str, out: &mut String) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(name: &str, out: &mut String) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn leaf(name: &str, text: &str, out: &mut String) {
    open(name, out);
    out.push_str(text);
    close(name, out);
}

/// XML text: the five special characters, and no control characters (not
/// allowed in XML 1.0 even as references).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// JSON with the fields in the spec's order (a `serde_json::Value` would
/// sort them).
impl serde::Serialize for Node {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Text(t) => s.serialize_str(t),
            Node::Number(x) if x.is_finite() => s.serialize_f64(*x),
            Node::Number(_) | Node::Null => s.serialize_none(),
            Node::Integer(i) => s.serialize_i64(*i),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Node::List { items, .. } => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
        }
    }
}

/// `.json` or `.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Split `name.ext` into the name and its format.
    pub fn split(file: &str) -> Option<(&str, Option<Format>)> {
        let (stem, ext) = file.rsplit_once('.')?;
        let format = match ext {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        };
        Some((stem, format))
    }
}

/// A body with its root element name (XML) and status.
pub fn render(format: Format, status: StatusCode, root: &str, node: &Node) -> Response {
    match format {
        Format::Json => {
            let body = serde_json::to_string(node).unwrap_or_else(|_| "[]".to_owned());
            (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
        }
        Format::Xml => {
            let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            node.write_xml(root, &mut body);
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_arrays_in_json_and_elements_in_xml() {
        let node = Node::list(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text("510104-20261128-000001")),
                ("lat", Node::Number(30.5)),
                ("account_id", Node::Null),
                ("description", Node::text("<井盖> & \"路\"\u{1}")),
            ])],
        );
        assert_eq!(
            node.to_json(),
            serde_json::json!([{"service_request_id": "510104-20261128-000001", "lat": 30.5, "account_id": null,
                "description": "<井盖> & \"路\"\u{1}"}])
        );
        let mut xml = String::new();
        node.write_xml("service_requests", &mut xml);
        assert_eq!(
            xml,
            "<service_requests><request><service_request_id>510104-20261128-000001</service_request_id>\
             <lat>30.5</lat><account_id/><description>&lt;井盖&gt; &amp; &quot;路&quot;</description>\
             </request></service_requests>"
        );
    }

    #[test]
    fn formats_come_from_the_suffix() {
        assert_eq!(Format::split("services.json"), Some(("services", Some(Format::Json))));
        assert_eq!(Format::split("12345.zixun.xml"), Some(("12345.zixun", Some(Format::Xml))));
        assert_eq!(Format::split("requests.html"), Some(("requests", None)));
        assert_eq!(Format::split("requests"), None);
    }
}
