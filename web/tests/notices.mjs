// Issue 18's notices in Chromium, at phone width: a resident signs up by
// phone (the code from the test's fake SMS gateway) and reports; the staff
// accept, dispatch, handle and verify it (through the API, as the demo's
// dispatcher, department and grid worker). Between the steps the resident's
// bell counts one more unread notice and /inbox lists it in Chinese with the
// number: received → accepted → dispatched (the unit named) → handled →
// closed, which leads in one tap to the rating form; the resident rates
// there, the notice is then read and the matter's page shows the rating.
// /inbox and the rating page pass axe at phone width.
//
//   node web/tests/notices.mjs http://127.0.0.1:8080 http://127.0.0.1:GATEWAY target/screenshots
// Prints one JSON line: {"number": …, "username": …, "bell": […]}; exits 1 on failure.
import { axeSweep } from "./a11y.mjs";
import { PHONE, check, fail, gridCentre, harness, reportHere, signUpByPhone, step, withCookies } from "./lib.mjs";

const [base, gateway, shots = "target/screenshots"] = process.argv.slice(2);
const h = await harness(base, shots);
const [lng, lat] = await gridCentre(base);

const { page } = await h.as(null, PHONE, { geolocation: { latitude: lat, longitude: lng }, permissions: ["geolocation"] });
await signUpByPhone(page, base, gateway, "13700005678");
const number = await reportHere(page, base, "楼下人行道井盖松动，踩上去会晃。");

// My inbox through the API, with the page's own session.
async function inbox() {
  const r = await page.context().request.get(base + "/api/v1/inbox?limit=50");
  check(r.ok(), "the inbox answers: " + r.status());
  return r.json();
}

// The notice of `kind` once it is there: a bounded poll (10 s), no sleep.
async function notice(kind) {
  for (let i = 0; i < 100; i++) {
    const found = (await inbox()).notices.find((n) => n.kind === kind);
    if (found) { return found; }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  fail(`no "${kind}" notice reached the inbox`);
}

// The bell's count on a page of the site.
async function bell() {
  await page.goto(base + "/track");
  const badge = page.locator("#bell .badge");
  return (await badge.count()) ? Number((await badge.innerText()).trim()) : 0;
}

const seen = [];
async function told(kind, words) {
  step("notice " + kind);
  const n = await notice(kind);
  check(n.title.includes(number), `the ${kind} notice names the matter's number: ${n.title}`);
  for (const w of words) { check(n.title.includes(w), `the ${kind} notice says ${w}: ${n.title}`); }
  check(!n.read, `the ${kind} notice is unread`);
  const count = await bell();
  check(count === seen.length + 1, `the bell counts ${seen.length + 1} after "${kind}", not ${count}`);
  seen.push(count);
  return n;
}

await told("received", ["已收到", "编号"]);
const dispatcher = await h.token("demo_dispatcher");
const dept = await h.token("demo_dept");
const grid = await h.token("demo_grid");
const run = (who, command, args = {}) => h.call("POST", `/api/v1/matters/${number}/commands/${command}`, who, args);
await run(dispatcher, "accept");
await told("accepted", ["已受理"]);
// The unit is named as the platform names it, never by its code.
const unit = (await h.call("GET", "/api/v1/departments/510104-chengguan", dept)).name;
await run(dispatcher, "dispatch", { to: { kind: "department", code: "510104-chengguan" } });
const dispatched = await told("dispatched", [unit]);
check(!dispatched.title.includes("510104-chengguan"), "the unit by name, not code: " + dispatched.title);
await run(dept, "sign");
await run(dept, "respond", { text: "已更换井盖并加固" });
await told("responded", ["已处置", "已更换井盖"]);
await run(grid, "verify", { passed: true, note: "现场井盖已稳固" });
const closed = await told("closed", ["已办结", "评价"]);
check(closed.link === `/m/${number}#rate`, "the closing notice leads to the rating form: " + closed.link);

// /inbox: every notice in Chinese with the number, newest first.
await page.goto(base + "/inbox");
const items = await page.locator("#inbox-list li").allInnerTexts();
check(items.length === 5, "five notices listed: " + items.join(" | "));
check(items.every((t) => t.includes(number) && /[\u4e00-\u9fff]/.test(t)), "each in Chinese with the number: " + items.join(" | "));
check(items[0].includes("已办结") && items[4].includes("已收到"), "newest first: " + items.join(" | "));
check((await page.locator("#inbox-unread").innerText()).includes("未读 5 条"), "five unread");
await h.shot(page, "inbox-phone");

// Axe over /inbox and the rating page, at phone width, before rating.
const signedIn = withCookies(h.as, await page.context().cookies());
const found = await axeSweep(signedIn, base, [["resident", null, ["/inbox", `/m/${number}#rate`]]], [PHONE], step);
if (found.length) { fail("axe: " + found.join("\n")); }

// One tap on the closing notice: on the matter's page at the rating form, open.
const item = page.locator("#inbox-list li", { hasText: "已办结" });
await Promise.all([page.waitForNavigation(), item.locator("button[type=submit]").click()]);
check(page.url().endsWith(`/m/${number}#rate`), "the notice opens the rating form: " + page.url());
const form = page.locator("#rate form[data-command='rate']");
check(await page.locator("details#rate[open]").count() === 1 && await form.isVisible(), "the rating form is open");
await h.shot(page, "rate-from-notice-phone");
check((await inbox()).notices.find((n) => n.id === closed.id).read, "opening the notice marked it read");
check(await bell() === 4, "the bell counts one fewer");

await page.goto(base + closed.link);
await form.locator("select[name=rating]").selectOption("satisfied");
await form.locator("textarea[name=reason]").fill("处理得很及时");
await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
check(await page.locator(".error").count() === 0, "rated without an error");
check((await page.locator("ol.timeline").innerText()).includes("满意：处理得很及时"), "the matter's page shows the rating");
check(await page.locator("form[data-command='rate']").count() === 0, "rated once: no second form");

const me = await (await page.context().request.get(base + "/api/v1/me")).json();
await h.done();
console.log(JSON.stringify({ number, username: me.username, bell: seen }));
