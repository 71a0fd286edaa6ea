// 善治成都 in headless Chromium (issue 19's acceptance), as people do it on
// the pages: a town's editor (the demo dispatcher of 春熙路街道) writes a
// case about 总府路社区 and submits it; the city's reviewer (the demo
// supervisor) returns it with a comment; the editor reads the comment,
// revises (a second version) and submits again; the reviewer publishes.
// Signed out, a two-character word finds it on /cases, the Atom feed
// carries it and the community's public page lists it with the grid
// worker's public work phone (never the private mobile). Axe sweeps /cases,
// the article and the community page at phone and desktop width.
//
//   node web/tests/cases.mjs http://127.0.0.1:8080 target/screenshots
// Prints one JSON line: {"case": …, "screenshots": […]}; exits 1 on failure.
import { axeSweep } from "./a11y.mjs";
import { DESKTOP, PHONE, check, harness, step } from "./lib.mjs";

const [base, shots = "target/screenshots"] = process.argv.slice(2);
const COMMUNITY = "/c/510104022006";
const WORD = "睦邻";
const TITLE = "睦邻花园：院落里的议事角";
const COMMENT = "请补充参与的居民户数";
const { as, shot, done, screenshots } = await harness(base, shots);

// Click `selector` (a submit button) and wait for the page it leads to; the
// page shows no refusal.
async function press(page, selector, what) {
  step(what);
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  const error = page.locator(".error");
  check(await error.count() === 0, `${what}: refused: ${await error.count() ? await error.first().innerText() : ""}`);
}

async function state(page) { return (await page.locator("#case-state").innerText()).trim(); }

// 1. The editor writes and submits.
let { page, context } = await as("demo_dispatcher", PHONE);
await page.goto(base + "/cases/new");
await page.fill("input[name=division]", "510104022000");
await page.selectOption("select[name=kind]", "case");
await page.fill("input[name=title]", TITLE);
await page.fill("textarea[name=summary]", "一处闲置院坝，居民议定改成大家的花园和议事角。");
await page.fill("textarea[name=body]", "## 起因\n院坝闲置多年，堆满杂物。\n\n## 做法\n- 院落议事会商定方案\n- 居民出工出力");
await page.fill("input[name=tags]", "院落治理，场景营造");
await page.fill("input[name=places]", "510104022006");
await page.fill("input[name=source]", "春熙路街道供稿");
await press(page, "form[action='/cases/new'] button[type=submit]", "save the draft");
const here = new URL(page.url()).pathname;
const id = here.split("/").pop();
check(/^\/cases\/[0-9a-f-]{36}$/.test(here), "the draft's page: " + here);
check((await state(page)).includes("第 1 版"), "version 1: " + await state(page));
await press(page, "form[action$='/do/submit'] button[type=submit]", "submit");
const submitted = await state(page);
await context.close();

// Not public yet: a visitor is told it does not exist.
({ page, context } = await as(null, PHONE));
const hidden = await page.goto(base + here);
check(hidden.status() === 404, "a submitted article is not public: " + hidden.status());
await context.close();

// 2. The reviewer asks for a change, with a comment.
({ page, context } = await as("demo_supervisor", DESKTOP));
await page.goto(base + here);
check((await state(page)) === submitted, "the reviewer sees it as submitted");
await page.fill("#review-form textarea[name=comment]", COMMENT);
await press(page, "#review-form button[type=submit]:not([formaction])", "return");
check((await page.locator("#reviews").innerText()).includes(COMMENT), "the comment is on the record");
await context.close();

// 3. The editor reads the comment, revises (a new version), submits again.
({ page, context } = await as("demo_dispatcher", PHONE));
await page.goto(base + here);
check((await page.locator("#reviews").innerText()).includes(COMMENT), "the editor reads the comment");
await Promise.all([page.waitForNavigation(), page.click(`a[href='${here}/edit']`)]);
const body = await page.inputValue("textarea[name=body]");
await page.fill("textarea[name=body]", body + "\n\n## 成效\n共有 86 户居民参与，花园由居民轮流照看。");
await press(page, `form[action='${here}/edit'] button[type=submit]`, "save version 2");
check((await state(page)).includes("第 2 版"), "version 2: " + await state(page));
await press(page, "form[action$='/do/submit'] button[type=submit]", "submit again");
await context.close();

// 4. The reviewer publishes.
({ page, context } = await as("demo_supervisor", DESKTOP));
await page.goto(base + here);
await press(page, "#review-form button[formaction$='/do/publish']", "publish");
check(await page.locator("#case-state").count() === 0, "published: no state line");
const steps = await page.locator("#reviews li").allInnerTexts();
check(steps.length === 4, "submit, return, submit, publish: " + steps.join(" | "));
await context.close();

// 5. Signed out: found by a two-character word, in the feed, on the community's page.
({ page, context } = await as(null, PHONE));
await page.goto(base + "/cases");
await page.fill("input[name=q]", WORD);
await Promise.all([page.waitForNavigation(), page.click("form[role=search] button[type=submit]")]);
const hits = await page.locator(".cases li h2 a").allInnerTexts();
check(hits.length === 1 && hits[0] === TITLE, `"${WORD}" finds the article: ${hits.join(" | ")}`);
await Promise.all([page.waitForNavigation(), page.click(`.cases a[href='${here}']`)]);
check((await page.locator(".article .body").innerText()).includes("86 户"), "the published text is the revised one");
await shot(page, "case-article-phone");
const feed = await (await fetch(base + "/cases/feed.atom")).text();
check(feed.includes(TITLE) && feed.includes(here), "the Atom feed carries it");
await page.goto(base + COMMUNITY);
const listed = await page.locator("#community-cases").innerText();
check(listed.includes(TITLE), "the community's page lists it: " + listed);
const contacts = await page.locator("#grid-contacts").innerText();
check(contacts.includes("总府路社区网格员") && contacts.includes("028-86000005"), "the grid worker's public contact: " + contacts);
check(!contacts.includes("13800000005") && !(await page.content()).includes("13800000005"), "never the private mobile");
const order = await page.locator("main h2").allInnerTexts();
const at = (word) => order.findIndex((h) => h.includes(word));
check(at("公示") < at("资金") && at("资金") < at("网格") && at("网格") < at("案例"), "sections in a resident's order: " + order.join(" | "));
await shot(page, "community-public-phone");
await context.close();

// 6. Accessibility at both widths.
const found = await axeSweep(as, base, [
  ["visitor", null, ["/cases", "/cases?q=" + encodeURIComponent(WORD), here, COMMUNITY]],
  ["reviewer", "demo_supervisor", [here, "/cases/desk"]],
  ["editor", "demo_dispatcher", ["/cases/desk", "/cases/new", COMMUNITY]],
], [PHONE, DESKTOP], step);
check(found.length === 0, "accessibility:\n" + found.join("\n"));
await done();
console.log(JSON.stringify({ case: id, screenshots }));
