//! Files sent to the server: hotline exports (XLSX, CSV) and photos.

use std::io::Write;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::{matter_count, world};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度";

/// A workbook whose first sheet holds `cells` (A1-style name, text).
fn xlsx(cells: &[(&str, &str)]) -> Vec<u8> {
    let sheet: String = cells
        .iter()
        .map(|(at, text)| {
            let row: String = at.chars().skip_while(|c| c.is_ascii_alphabetic()).collect();
            format!(r#"<row r="{row}"><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#)
        })
        .collect();
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#)),
    ];
    for (name, body) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("entry");
        zip.write_all(body.as_bytes()).expect("write");
    }
    zip.finish().expect("zip");
    buf.into_inner()
}

async fn import(app: &crate::support::TestApi, auth: &str, kind: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let headers = [("authorization", auth), ("content-type", kind)];
    let (status, _, bytes) = app.send_raw(None, Method::POST, "/api/v1/hotline/import", &headers, body).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn finding_01_a_far_away_xlsx_cell_cannot_take_the_server_down() {
    let app = world().await;
    let far = xlsx(&[("A1", "工单编号"), ("XFD1048576", "x")]);
    assert!(far.len() < 2048, "a small file: {} bytes", far.len());
    // Who may import is settled before the file is read.
    let resident = app.bearer("resident").await;
    let (status, body) = import(&app, &resident, XLSX, far.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // A dispatcher's file is read cell by cell: the far cell is named, not reserved.
    let dispatcher = app.bearer("dispatcher").await;
    let (status, body) = import(&app, &dispatcher, XLSX, far).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("XFD1048576"), "{body}");
    let deep = xlsx(&[("A1", "工单编号"), ("Z200000", "x")]);
    let (status, body) = import(&app, &dispatcher, XLSX, deep).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(matter_count(&app).await, 0);
    // The server is still here.
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn finding_10_a_hotline_import_is_all_or_nothing_and_within_scope() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let long = "长".repeat(5000);
    let csv = format!(
        "{HEADER}\nCD001,2026-11-20 09:15,反映,井盖松动,104.072,30.652\nCD002,2026-11-20 09:20,反映,{long},104.072,30.652\n"
    );
    let (status, body) = import(&app, &dispatcher, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problem = &body["error"]["details"]["problems"][0];
    assert_eq!((problem["line"].as_u64(), problem["code"].as_str()), (Some(3), Some("CD002")), "{body}");
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "import_rejected",
        "details": {
          "more": 0,
          "problems": [
            {
              "code": "CD002",
              "line": 3,
              "message": {
                "en": "a description needs 1–4000 characters",
                "zh": "描述应为 1–4000 个字符"
              }
            }
          ]
        },
        "message": "文件有 1 处错误，已整体拒绝，未写入任何数据",
        "message_en": "the file has 1 problem(s) and was rejected whole; nothing was written"
      }
    }
    "#);
    assert_eq!(matter_count(&app).await, 0, "the good first row was not written either");
    // An order in another district is not this town dispatcher's to import,
    // however it is dated.
    let elsewhere = format!("{HEADER}\nQY001,2026-11-20 09:15,反映,路灯不亮,104.055,30.665\n");
    let (status, body) = import(&app, &dispatcher, "text/csv", elsewhere.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["details"]["problems"][0]["message"]["zh"].as_str().is_some_and(|m| m.contains("管辖")),
        "{body}"
    );
    assert_eq!(matter_count(&app).await, 0);
}

#[tokio::test]
async fn finding_17_uploads_up_to_the_configured_limit_are_accepted() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    // A 3 MiB PNG: over axum's own 2 MB default, under the configured 6 MiB.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x07\x80\0\0\x04\x38\x08\x06\0\0\0".to_vec();
    png.resize(3 * 1024 * 1024, 0);
    let headers = [("authorization", dispatcher.as_str()), ("content-type", "image/png")];
    let (status, _, bytes) = app.send_raw(None, Method::POST, "/api/v1/attachments", &headers, png).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&bytes));
    let too_big = vec![0u8; 7 * 1024 * 1024];
    let (status, _, _) = app.send_raw(None, Method::POST, "/api/v1/attachments", &headers, too_big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn finding_19_hotline_orders_keep_their_callers_content_and_clock() {
    let app = world().await;
    let dispatcher = app.bearer("dispatcher").await;
    let auth = [("authorization", dispatcher.as_str())];
    // A repeated order number with other content is refused, naming both lines.
    let clash = format!(
        "{HEADER}\nCD100,2026-11-20 09:15,反映,井盖松动,104.072,30.652\nCD100,2026-11-20 09:15,反映,路灯不亮,104.072,30.652\n"
    );
    let (status, body) = import(&app, &dispatcher, "text/csv", clash.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("第 2 行"), "{body}");
    // What Chinese Excel writes: GB18030, with the caller's name and phone,
    // an order the hotline took in January.
    let text =
        format!("{HEADER},联系人,联系电话\nCD200,2026-01-05 09:15,反映,井盖松动,104.072,30.652,王先生,13900001111\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let (status, body) = import(&app, &dispatcher, "text/csv", gbk.into_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let number = body["numbers"][0].as_str().expect("number").to_owned();
    // The importer is not the caller: the dispatcher's list masks the caller.
    let (_, _, list) = app.send(Method::GET, "/api/v1/matters?channel=hotline", &auth, None).await;
    let row = list["items"].as_array().and_then(|l| l.first()).cloned().expect("listed");
    assert_eq!(row["number"], number.as_str());
    assert_eq!((row["reporter_name"].as_str(), row["reporter_masked"].as_bool()), (Some("王**"), Some(true)), "{row}");
    // Its clock starts when it reached the platform: not overdue on arrival.
    let (_, _, matter) = app.send(Method::GET, &format!("/api/v1/matters/{number}"), &auth, None).await;
    assert_eq!(matter["reporter_name"], "王先生", "the one matter opened shows the caller");
    assert_eq!(matter["time_limit"]["overdue"], false, "{matter}");
    assert_eq!(matter["time_limit"]["warning"], "none", "{matter}");
    // Importing it again is the same order: nothing new.
    let (status, body) = import(&app, &dispatcher, "text/csv", encoding_rs::GB18030.encode(&text).0.into_owned()).await;
    assert_eq!(
        (status, body["created"].as_u64(), body["already_imported"].as_u64()),
        (StatusCode::OK, Some(0), Some(1))
    );
}
