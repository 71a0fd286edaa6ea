// 以事聚人、聚人成事 in headless Chromium: one fund proposal of the demo
// community (总府路社区) through the five steps of 五步工作法, as people do
// it on the pages — residents at phone width, the others at desktop width:
// a resident proposes, 30 residents support, the council meets with quorum
// and votes, the notices run (the server reads its time from CLOCK, a drill
// clock file this script moves past each notice's end), the committee
// commits and pays money, the Party organisation accepts the work with the
// residents' survey, the supervisory committee signs off; the public page
// then shows each step and the ledger. Axe sweeps the deliberation pages.
//
//   node web/tests/deliberation.mjs http://127.0.0.1:8080 CLOCK target/screenshots
// The server: `shanzhi serve --demo --clock-file CLOCK` (CLOCK holds a
// Monday morning in Beijing). Prints one JSON line: {"proposal": …,
// "screenshots": […]}; exits 1 on failure.
import { writeFileSync } from "node:fs";
import { axeSweep } from "./a11y.mjs";
import { DESKTOP, PASSWORD, PHONE, check, harness, step } from "./lib.mjs";

const [base, clockFile, shots = "target/screenshots"] = process.argv.slice(2);
const CODE = "510104022006";
const COMMUNITY = "/c/" + CODE;
// A new context for each page: a session does not outlive a jump of the
// clock by days.
const { as, call, token, shot, done, screenshots } = await harness(base, shots);

// The drill clock: the server's time is what this file says.
function setClock(instant) {
  step("clock " + instant.toISOString());
  writeFileSync(clockFile, instant.toISOString() + "\n");
}

// Submit `form` (a locator) and wait for the page it leads to; the page must
// say `said` (the action's confirmation) and no refusal.
async function submit(page, form, said) {
  await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
  const error = page.locator(".error");
  check(await error.count() === 0, `${said}: refused: ${await error.count() ? await error.innerText() : ""}`);
  const notice = await page.locator(".notice").innerText();
  check(notice.includes(said), `${said}: the page says ${notice}`);
}

function form(page, action) { return page.locator(`form[action$='/do/${action}']`); }

async function openDetails(page, action) {
  await page.locator(`details:has(form[action$='/do/${action}']) > summary`).first().click();
}

// Finish the current step `code` with its records ticked.
async function finish(page, code, artefacts) {
  const f = page.locator("#finish-form");
  check(await f.count() === 1, `the finish form for ${code}`);
  check(await f.locator("input[name=step]").inputValue() === code, `the step offered is ${code}`);
  for (const a of artefacts) { await f.locator(`input[name=artefact][value=${a}]`).check(); }
  await submit(page, f, "本步骤已办结");
}

async function proposal(id) { return call("GET", `/api/v1/proposals/${id}`, await token("demo_community")); }

// The step `code` is on notice: the page says 公示中 and offers no
// "notice over" yet; the clock moves past the notice's end (five working
// days: from a Monday, the next Monday) and `who` ends it on the page.
async function runNotice(here, id, code, who) {
  const p = await proposal(id);
  const st = p.steps.find((s) => s.code === code);
  check(st.state === "公示中" && st.notice_start && st.notice_end, `${code} on notice: ${JSON.stringify(st)}`);
  const start = new Date(st.notice_start);
  const end = new Date(st.notice_end);
  const days = (end - start) / 86400000;
  check(days >= 7 && days <= 9, `five working days run over a weekend: ${st.notice_start} — ${st.notice_end}`);
  let { page, context } = await as(who, DESKTOP);
  await page.goto(base + here);
  check((await page.locator("#proposal-status").innerText()).includes("公示中"), "the proposal is on notice");
  check(await form(page, "end_notice").count() === 0, "no 'notice over' while it runs");
  check(await page.locator("#finish-form").count() === 0, "no 'finish' while it runs");
  await context.close();
  setClock(new Date(end.getTime() + 60000));
  ({ page, context } = await as(who, DESKTOP));
  await page.goto(base + here);
  await submit(page, form(page, "end_notice"), "公示已结束");
  await context.close();
}

// Setup by the administrator's API: 29 more residents of the community, two
// of them on the council with the demo resident.
const admin = await token("demo_admin");
const residents = [];
for (let i = 1; i <= 29; i++) {
  const username = `zf_res_${String(i).padStart(2, "0")}`;
  await call("POST", "/api/v1/users", admin, { username, display_name: `居民${i}`, role: "resident", password: PASSWORD });
  await call("POST", `/api/v1/communities/${CODE}/members`, admin, { body: "residents", username, from: "2026-01-01" });
  residents.push(username);
}
const [councilB, councilC] = residents;
for (const username of [councilB, councilC]) {
  await call("POST", `/api/v1/communities/${CODE}/members`, admin, { body: "council", username, from: "2026-01-01" });
}

// 1. The demo resident proposes on the community page at phone width, and
// supports it there; 29 residents support by the API.
let { page, context } = await as("demo_resident", PHONE);
await page.goto(base + COMMUNITY);
check(await page.locator(`header nav a[href='${COMMUNITY}']`).count() === 1, "the header links the resident's community");
await page.locator("#propose summary").click();
await page.fill("#propose input[name=title]", "小游园改造");
await page.fill("#propose textarea[name=body]", "改造小游园的步道和座椅，方便老人和孩子。");
await page.selectOption("#propose select[name=method]", "five_step");
await Promise.all([page.waitForNavigation(), page.click("#propose button[type=submit]")]);
check(new RegExp(`${COMMUNITY}/p/`).test(page.url()), "the proposal's page after proposing: " + page.url());
const here = new URL(page.url()).pathname;
const id = here.split("/").pop();
await submit(page, form(page, "support"), "已附议");
check(await form(page, "support").count() === 0, "supported once");
await shot(page, "deliberation-gathering-phone");
await context.close();
for (const username of residents) {
  await call("POST", `/api/v1/proposals/${id}/supports`, await token(username), null);
}
check((await proposal(id)).supporters === 30, "30 residents support it");

// The Party organisation proposes it formally: its step, then its notice.
({ page, context } = await as("demo_community", DESKTOP));
await page.goto(base + here);
await finish(page, "propose", ["minutes"]);
await context.close();
await runNotice(here, id, "propose", "demo_community");

// 2. The committee convenes the council; three members present: quorum.
({ page, context } = await as("demo_community", DESKTOP));
await page.goto(base + here);
check(await page.locator("#finish-form").count() === 0, "the committee does not finish the council's step");
await openDetails(page, "convene");
await page.fill("form[action$='/do/convene'] textarea[name=agenda]", "审议小游园改造方案及资金安排");
await page.fill("form[action$='/do/convene'] textarea[name=attendance]", `demo_resident ${councilB} ${councilC}`);
await submit(page, form(page, "convene"), "会议已召开");
await context.close();
// The page with a vote open, for a member and for the convener.
const voting = await axeSweep(as, base, [["council", "demo_resident", [here]], ["committee", "demo_community", [here]]], [PHONE, DESKTOP], step);
check(voting.length === 0, "accessibility while voting:\n" + voting.join("\n"));
for (const [who, choice] of [["demo_resident", "for"], [councilB, "for"], [councilC, "abstain"]]) {
  ({ page, context } = await as(who, PHONE));
  await page.goto(base + here);
  await form(page, "vote").locator(`input[name=choice][value=${choice}]`).check();
  await submit(page, form(page, "vote"), "已表决");
  check(await form(page, "vote").count() === 0, "one vote each");
  if (who === "demo_resident") { await shot(page, "deliberation-voted-phone"); }
  await context.close();
}
({ page, context } = await as("demo_community", DESKTOP));
await page.goto(base + here);
await submit(page, form(page, "close"), "表决已结束");
const tally = await page.locator("#proposal-steps").innerText();
check(tally.includes("应到 3") && tally.includes("实到 3") && tally.includes("同意 2") && tally.includes("弃权 1") && tally.includes("通过"), "the tally: " + tally);
await context.close();
({ page, context } = await as("demo_resident", PHONE));
await page.goto(base + here);
await finish(page, "decide", ["minutes", "attendance", "vote_record"]);
await context.close();
await runNotice(here, id, "decide", "demo_community");

// 3. The committee implements: money committed on the decision, paid, the milestone.
({ page, context } = await as("demo_community", DESKTOP));
await page.goto(base + here);
await openDetails(page, "commit");
await page.fill("form[action$='/do/commit'] input[name=amount]", "20,000");
await submit(page, form(page, "commit"), "资金已安排");
await openDetails(page, "pay");
await page.fill("#pay-form input[name=amount]", "18,500");
await page.fill("#pay-form input[name=voucher]", "记-7");
await page.fill("#pay-form input[name=payee]", "园林公司");
await submit(page, page.locator("#pay-form"), "支付已登记");
await openDetails(page, "note");
const note = form(page, "note");
await note.locator("select[name=kind]").selectOption("milestone");
await note.locator("textarea[name=text]").fill("步道和座椅完工");
await note.locator("input[name=percent]").fill("100");
await submit(page, note, "记录已保存");
await finish(page, "implement", ["contract", "invoice", "photos"]);

// 4. The Party organisation accepts the work with the residents' survey.
await openDetails(page, "note");
await form(page, "note").locator("select[name=kind]").selectOption("survey");
await form(page, "note").locator("textarea[name=text]").fill("居民满意度测评");
await form(page, "note").locator("input[name=percent]").fill("96");
await submit(page, form(page, "note"), "记录已保存");
await finish(page, "accept", ["minutes", "survey", "photos"]);
await shot(page, "deliberation-accepted-desktop");
await context.close();
await runNotice(here, id, "accept", "demo_community");

// 5. The supervisory committee signs off.
({ page, context } = await as("demo_supervisor", DESKTOP));
await page.goto(base + here);
await openDetails(page, "note");
await form(page, "note").locator("textarea[name=text]").fill("程序完整，账目清楚");
await submit(page, form(page, "note"), "记录已保存");
await finish(page, "supervise", ["opinion"]);
await context.close();

// Signed out: the proposal's page shows each step, the community page the ledger.
({ page, context } = await as(null, PHONE));
await page.goto(base + here);
check((await page.locator("#proposal-status").innerText()).includes("已办结"), "done");
const steps = await page.locator("#proposal-steps").innerText();
check((steps.match(/已完成/g) || []).length === 5, "every step done: " + steps);
for (const said of ["党组织提议", "议事会决议", "居委会实施", "党组织评议验收", "监委会监督", "同意 2", "进度 100%", "满意度测评 96%", "程序完整，账目清楚"]) {
  check(steps.includes(said), `the steps say ${said}: ${steps}`);
}
check(await page.locator("#actions").count() === 0, "a visitor is offered nothing to do");
await shot(page, "deliberation-done-phone");
await page.goto(base + COMMUNITY);
const row = await page.locator(`.proposals a[href='${here}']`).locator("xpath=..").innerText();
check(row.includes("已办结"), "the list says done: " + row);
const ledger = await page.locator("#ledger").innerText();
for (const said of ["小游园改造", "20,000.00", "18,500.00", "园林公司"]) {
  check(ledger.includes(said), `the ledger shows ${said}: ${ledger}`);
}
check((await page.locator("#fund-spent").innerText()).includes("18,500.00"), "paid");
await shot(page, "deliberation-ledger-phone");
await context.close();

// Accessibility of the deliberation pages, for each kind of viewer.
const pages = [COMMUNITY, here, here + "/notice"];
const found = await axeSweep(as, base, [
  ["visitor", null, pages],
  ["resident", "demo_resident", pages],
  ["committee", "demo_community", pages],
  ["supervisor", "demo_supervisor", pages],
], [PHONE, DESKTOP], step);
check(found.length === 0, "accessibility:\n" + found.join("\n"));
await done();
console.log(JSON.stringify({ proposal: id, screenshots }));
