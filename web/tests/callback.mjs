// Issue 18's hotline part in Chromium: a 12345 order is imported and closed
// (through the API, as the demo's dispatcher, department and grid worker),
// then the hotline clerk opens 满意度回访, reads the script, records one
// unreachable try and then the three answers on the page; the results export
// for 12345 (fetched by the page's own session) holds the order once with its
// satisfaction. Prints a JSON summary as its last line.
//
// Usage: node callback.mjs BASE_URL

import { DESKTOP, check, harness } from "./lib.mjs";

const [base] = process.argv.slice(2);
const h = await harness(base);
const order = "CB-" + Date.now();

// An order inside 总府路社区, closed by the demo's people.
const [place] = await h.call("GET", "/api/v1/places?q=" + encodeURIComponent("总府路社区") + "&limit=1");
const [lng, lat] = place.point;
const dispatcher = await h.token("demo_dispatcher");
const csv = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度,坐标系,联系人,联系电话\n"
  + `${order},2026-11-30 09:10,反映,总府路路灯不亮,${lng},${lat},wgs84,王先生,13900001111\n`;
const sent = await fetch(base + "/api/v1/hotline/import", {
  method: "POST",
  headers: { "content-type": "text/csv", authorization: "Bearer " + dispatcher },
  body: csv,
});
check(sent.ok, "the order is imported: " + sent.status);
const imported = await sent.json();
const number = imported.numbers[0];
const dept = await h.token("demo_dept");
const grid = await h.token("demo_grid");
for (const [who, command, args] of [
  [dispatcher, "accept", {}],
  [dispatcher, "dispatch", { to: { kind: "department", code: "510104-chengguan" } }],
  [dept, "sign", {}],
  [dept, "respond", { text: "已更换路灯" }],
  [grid, "verify", { passed: true, note: "现场已亮" }],
]) {
  await h.call("POST", `/api/v1/matters/${number}/commands/${command}`, who, args);
}

const clerk = await h.as("demo_dispatcher", DESKTOP);
const page = clerk.page;
await page.goto(base + "/callbacks");
check((await page.locator("#callback-script").innerText()).includes("是否已解决"), "the script is shown");
const form = page.locator(`#callback-${number}`);
check(await form.count() === 1, "the closed order is on the call-back list");

// Unreachable first: the task stays, with one try.
await form.locator("input[name=outcome][value=unreachable]").check();
await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
check(await page.locator("#callback-done").count() === 1, "the try is recorded");
const row = page.locator("#callback-table tr", { hasText: number }).first();
check((await row.locator("td.num").innerText()).trim() === "1", "one try counted");

// Reached: the three answers.
const again = page.locator(`#callback-${number}`);
await again.locator("input[name=outcome][value=reached]").check();
await again.locator("input[name=contacted][value=yes]").check();
await again.locator("input[name=solved][value=yes]").check();
await again.locator("input[name=satisfaction][value=satisfied]").check();
await Promise.all([page.waitForNavigation(), again.locator("button[type=submit]").click()]);
check(await page.locator(`#callback-${number}`).count() === 0, "answered: no longer open");

// The matter's page says the call-back in words.
await page.goto(base + "/m/" + number);
check((await page.locator("body").innerText()).includes("回访：承办单位已联系，问题已解决，满意"), "the timeline says the answers");

// The results export, with the page's session: the order once, 满意.
const first = await page.evaluate(async () => {
  const r = await fetch("/api/v1/exports/hotline-results?format=csv");
  return { text: await r.text(), cursor: r.headers.get("x-next-cursor") };
});
const rows = first.text.trim().split(/\r?\n/).filter((l) => l.startsWith(order + ","));
check(rows.length === 1 && rows[0].includes("已办结") && rows[0].endsWith(",满意"), "the export holds the order: " + first.text);
const next = await page.evaluate(async (cursor) => (await fetch("/api/v1/exports/hotline-results?after=" + cursor)).text(), first.cursor);
check(!next.includes(order), "read once: the next cursor has nothing of it");
await h.done();
console.log(JSON.stringify({ number, order, cursor: first.cursor }));
