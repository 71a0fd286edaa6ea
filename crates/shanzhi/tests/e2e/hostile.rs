//! A server capped at 1 GiB of address space (`ulimit -v`) takes every hostile
//! upload of the hardening work and is still there: spreadsheets that claim
//! the whole grid or unpack to gigabytes, oversized and deeply nested bodies,
//! forms cut into thousands of parts, floods of photos and of sign-ins.

use std::io::Write;
use std::time::Duration;

use serde_json::json;
use shanzhi_testkit::test_db;

use crate::support::{Server, add_user_with_password, heavy, load_a_grid, text};

const GIB_IN_KIB: u64 = 1024 * 1024;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook with one sheet whose XML is `sheet_data` (inside `<sheetData>`).
fn xlsx(sheet_data: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
    ];
    for (name, body) in parts {
        zip.start_file(name, options).expect("entry");
        zip.write_all(body).expect("write");
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).expect("sheet");
    zip.write_all(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .expect("write");
    zip.write_all(sheet_data).expect("write");
    zip.write_all(b"</sheetData></worksheet>").expect("write");
    zip.finish().expect("zip");
    buf.into_inner()
}

fn cell(at: &str, text: &str) -> String {
    let row: String = at.chars().skip_while(char::is_ascii_alphabetic).collect();
    format!(r#"<row r="{row}"><c r="{at}" t="inlineStr"><is><t>{text}</t></is></c></row>"#)
}

/// A multipart body of `parts` tiny fields.
fn many_parts(parts: usize) -> (String, Vec<u8>) {
    let boundary = "shanzhi-hostile-boundary";
    let mut body = Vec::new();
    for i in 0..parts {
        write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n").expect("part");
    }
    write!(body, "--{boundary}--\r\n").expect("end");
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Refused with `status`, or cut off: the server answers as soon as it knows
/// and may close the connection while the rest of the body is still coming.
fn refused(answer: reqwest::Result<reqwest::Response>, status: u16) {
    match answer {
        Ok(r) => assert_eq!(r.status().as_u16(), status),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
}

/// Peak resident memory of a process (VmHWM), in MiB.
fn peak_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_capped_at_one_gib_survives_every_hostile_upload() {
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    load_a_grid(cwd.path(), &db, 3, None);
    let dispatcher = ["--username", "dispatcher", "--role", "dispatcher", "--scope", "510104"];
    let added = add_user_with_password(cwd.path(), &db, &dispatcher, "Hostile-Test-2026!");
    assert!(added.status.success(), "{}", text(&added.stderr));
    let server = Server::start_capped(cwd.path(), GIB_IN_KIB, &[], &db.cli_args);
    let base = server.base.clone();
    // A fresh connection per request: the server closes a connection it has
    // refused mid-body, and a pooled one reused after that dies with
    // IncompleteMessage (a client-side race that said nothing of the server).
    let client =
        reqwest::Client::builder().timeout(Duration::from_secs(60)).pool_max_idle_per_host(0).build().expect("client");
    let alive = || {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let r = client.get(format!("{base}/healthz")).send().await.expect("the server answers");
            assert_eq!(r.status().as_u16(), 200);
        }
    };
    let token = server.sign_in("dispatcher", "Hostile-Test-2026!").await;
    let post = |path: &str, kind: &str, body: Vec<u8>| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .header("content-type", kind.to_owned())
            .body(body)
            .send()
    };

    // Spreadsheets: one far cell; a sheet a column deep; a part that unpacks
    // to 200 MB of one cell.
    let far = xlsx(format!("{}{}", cell("A1", "工单编号"), cell("XFD1048576", "x")).as_bytes());
    let deep = xlsx(format!("{}{}", cell("A1", "工单编号"), cell("Z200000", "x")).as_bytes());
    let bomb = {
        let mut sheet = cell("A1", "工单编号").into_bytes();
        sheet.extend_from_slice(br#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#);
        sheet.resize(sheet.len() + 200 * 1024 * 1024, b'x');
        sheet.extend_from_slice(b"</t></is></c></row>");
        xlsx(&sheet)
    };
    assert!(bomb.len() < 2 * 1024 * 1024, "the bomb is small: {} bytes", bomb.len());
    for (what, file) in [("far cell", far), ("deep sheet", deep), ("zip bomb", bomb)] {
        let r = post("/api/v1/hotline/import", XLSX, file).await.expect(what);
        assert_eq!(r.status().as_u16(), 422, "{what}: {}", r.text().await.unwrap_or_default());
        alive().await;
    }
    // A CSV of a third of a million short rows (under the body limit).
    let mut csv = b"\xe5\xb7\xa5\xe5\x8d\x95\xe7\xbc\x96\xe5\x8f\xb7\n".to_vec();
    while csv.len() < 5 * 1024 * 1024 {
        csv.extend_from_slice(b"1,2,3\n");
    }
    let r = post("/api/v1/hotline/import", "text/csv", csv).await.expect("csv");
    assert_eq!(r.status().as_u16(), 422);
    // JSON nested a hundred thousand deep, and a body over the limit.
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let r = post("/api/v1/matters", "application/json", nested).await.expect("nested");
    assert_eq!(r.status().as_u16(), 400);
    refused(post("/api/v1/attachments", "image/png", vec![0u8; 7 * 1024 * 1024]).await, 413);
    // A form cut into 50,000 parts.
    let (kind, body) = many_parts(50_000);
    refused(client.post(format!("{base}/report")).header("content-type", kind).body(body).send().await, 400);
    alive().await;
    // Twenty photos of 5 MiB at once, and 150 sign-ins at once.
    let mut photo = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x07\x80\0\0\x04\x38\x08\x06\0\0\0".to_vec();
    photo.resize(5 * 1024 * 1024, 7);
    let photos = (0..20).map(|_| post("/api/v1/attachments", "image/png", photo.clone()));
    for r in futures_util::future::join_all(photos).await {
        assert_eq!(r.expect("photo").status().as_u16(), 201);
    }
    let logins = (0..150).map(|i| {
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": format!("guess{i}"), "password": "Wrong-Password-1"}))
            .send()
    });
    for r in futures_util::future::join_all(logins).await {
        let status = r.expect("login").status().as_u16();
        let log = || server.log.lock().map(|l| l.iter().rev().take(40).cloned().collect::<Vec<_>>().join("\n"));
        assert!(matches!(status, 401 | 429 | 503), "{status}; the server's last lines (newest first):\n{:?}", log());
    }
    alive().await;
    let peak = peak_mib(server.child.id());
    eprintln!("peak resident memory of the capped server: {peak} MiB");
    assert!(peak < 1024, "{peak} MiB");
}
