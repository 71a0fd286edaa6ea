// Visits and the 民情日志 in headless Chromium at phone width (issue #20):
// the community worker imports a small register for 总府路社区 and marks a
// resident for care, visited every working day; on the next day (the server
// reads its time from CLOCK, a drill clock file this script moves) the grid
// worker sees the visit due on /grid/today, records it with a photo, records
// another visit while the page is offline (CDP network emulation) that is
// sent once back online — and only once —, reports a matter from it; the
// community worker reviews the day's log and comments. Axe sweeps the new
// pages; nothing may leave the host or break the pages' policy.
//
//   node web/tests/visits.mjs http://127.0.0.1:8080 CLOCK target/screenshots
// Prints one JSON line: {"day": …, "matter": …, "screenshots": […]}; exits 1 on failure.
import { writeFileSync } from "node:fs";
import { axeSweep } from "./a11y.mjs";
import { DESKTOP, PHONE, check, harness, step } from "./lib.mjs";

const [base, clockFile, shots = "target/screenshots"] = process.argv.slice(2);
const DAY = "2026-12-01";
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
const CSV = "类别,楼栋地址,楼栋类型,网格编码,单元,房号,户主,姓名,身份证号,性别,出生年份,联系电话,人口类型\n" +
  "居民,总府路8号1栋,住宅,510104022006001,1,101,是,张秀英,,女,1941,,户籍\n" +
  "居民,总府路8号1栋,住宅,510104022006001,1,102,是,李建国,,男,1958,,户籍\n";

const h = await harness(base, shots);
const { as, call, token, shot, screenshots } = h;

// The register and the care mark, through the API as the community worker.
const community = await token("demo_community");
{
  step("import the register");
  const r = await fetch(base + "/api/v1/register/import?street=510104022", {
    method: "POST", headers: { authorization: "Bearer " + community, "content-type": "text/csv" }, body: CSV,
  });
  check(r.ok, "register import: " + r.status + " " + await r.text());
}
const residents = await call("GET", "/api/v1/register?kind=resident&grid=510104022006001", community);
const idOf = (name) => (residents.find((e) => e.name === name) || {}).id;
check(idOf("张秀英") && idOf("李建国"), "the imported residents are listed");
await call("POST", `/api/v1/register/${idOf("张秀英")}/care`, community, { reason: "独居老人", every_days: 1, worker: "demo_grid" });

// The next working day: the visit is due.
writeFileSync(clockFile, DAY + "T09:00:00+08:00\n");

// A point inside the grid worker's grid, for the phone's position.
const cell = await call("GET", "/api/v1/grids/510104022006001");
const ring = cell.geometry.coordinates[0][0];
const [lng, lat] = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
const HERE = { geolocation: { longitude: lng, latitude: lat }, permissions: ["geolocation"] };

const { page, context } = await as("demo_grid", PHONE, HERE);
step("today's visits");
await page.goto(base + "/grid/today");
check((await page.locator("#today-due").innerText()).includes("张秀英"), "today's due visits list 张秀英");
await shot(page, "visits-today");

// 1. The due visit, with a photo.
// The demo's own care persons are listed too: 张秀英's card, by her name.
const card = page.locator("#today-due li", { hasText: "张秀英" });
await Promise.all([page.waitForNavigation(), card.locator("a").first().click()]);
await page.waitForFunction(() => document.getElementById("visit-position").textContent.includes("已取得"));
await page.fill("#visit-raised", "老人说最近腿疼，希望社区医生上门看看");
await page.setInputFiles("#visit-photo", { name: "visit.png", mimeType: "image/png", buffer: PNG });
await page.waitForFunction(() => (JSON.parse(localStorage.getItem("shanzhi-visit-draft") || "{}").photo || "").startsWith("data:image/png"));
await page.click("#visit-form button[type=submit]");
await page.waitForFunction(() => document.getElementById("visit-status").textContent.includes("已提交走访"));
await shot(page, "visits-recorded");

// 2. Offline: the visit waits in the queue, and is sent once back online.
step("offline visit");
await page.goto(base + "/grid/visit");
await page.selectOption("#visit-resident", idOf("李建国"));
await page.fill("#visit-raised", "反映楼道灯坏了两周");
check((await page.evaluate(() => JSON.parse(localStorage.getItem("shanzhi-visit-draft")).raised)) === "反映楼道灯坏了两周", "the draft is kept as typed");
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
await cdp.send("Network.emulateNetworkConditions", { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
await page.click("#visit-form button[type=submit]");
await page.waitForFunction(() => document.getElementById("visit-status").textContent.includes("排队"));
check((await page.evaluate(() => JSON.parse(localStorage.getItem("shanzhi-visit-queue")).length)) === 1, "one visit queued");
await shot(page, "visits-queued");
await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
await page.waitForFunction(() => document.getElementById("visit-status").textContent.includes("已提交走访"), null, { timeout: 20000 });
check((await page.evaluate(() => JSON.parse(localStorage.getItem("shanzhi-visit-queue")).length)) === 0, "the queue is empty");
const grid = await token("demo_grid");
const countLi = async () => (await call("GET", `/api/v1/logs/${DAY}`, grid)).visits.filter((v) => v.subject_name === "李建国").length;
check(await countLi() === 1, "the offline visit arrived");

// 3. A matter from that visit.
step("matter from the visit");
await page.selectOption("#visit-matter select[name=category]", { index: 1 });
await page.fill("#visit-matter textarea[name=description]", "总府路8号1栋楼道灯损坏两周");
await page.click("#visit-matter button[type=submit]");
await page.waitForSelector("#visit-matter-status a");
const matter = (await page.locator("#visit-matter-status a").innerText()).trim();
check(/^\d{6}-\d{8}-\d{6}$/.test(matter), "a matter number: " + matter);
// A reload sends nothing again.
await page.reload();
await page.waitForLoadState("networkidle");
check(await countLi() === 1, "the offline visit arrived exactly once");

// 4. The worker's day, with notes.
await page.goto(`${base}/grid/log/${DAY}`);
const logText = await page.locator("#main").innerText();
check(logText.includes("张秀英") && logText.includes("李建国") && logText.includes(matter), "the day lists both visits and the matter");
check(!logText.includes("腿疼"), "the care visit's text is not shown in the log");
await page.fill("textarea[name=notes]", "上午入户走访两户");
await Promise.all([page.waitForNavigation(), page.click("form[action$='/grid/log/" + DAY + "'] button[type=submit]")]);
await shot(page, "visits-log");

// 5. The community worker reviews the day's logs and comments.
step("review");
const { page: reviewer } = await as("demo_community", PHONE);
await reviewer.goto(`${base}/grid/logs?date=${DAY}`);
await Promise.all([reviewer.waitForNavigation(), reviewer.click("#logs-list a[href*='worker=demo_grid']")]);
check((await reviewer.locator("#main").innerText()).includes("上午入户走访两户"), "the reviewer reads the notes");
await reviewer.fill("#log-comment-form textarea[name=body]", "已阅，楼道灯请跟进");
await Promise.all([reviewer.waitForNavigation(), reviewer.click("#log-comment-form button[type=submit]")]);
check((await reviewer.locator("#log-comments").innerText()).includes("已阅，楼道灯请跟进"), "the comment is shown");
await shot(reviewer, "visits-reviewed");

const inaccessible = await axeSweep(as, base, [
  ["grid worker", "demo_grid", ["/grid/today", "/grid/visit", `/grid/log/${DAY}`]],
  ["community worker", "demo_community", [`/grid/logs?date=${DAY}`, `/grid/log/${DAY}?worker=demo_grid`]],
], [PHONE, DESKTOP], step);
check(inaccessible.length === 0, "axe-core found accessibility violations:\n  " + inaccessible.join("\n  "));

await h.done();
console.log(JSON.stringify({ day: DAY, matter, screenshots }));
