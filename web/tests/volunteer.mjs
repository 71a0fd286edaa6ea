// Volunteers and 公益积分 in headless Chromium, on the demo's activity in
// 总府路社区: the resident (phone width, the phone's position granted) opts
// in and signs up; on the day (the server reads its time from CLOCK, a drill
// clock file this script moves) the organiser's page shows the rotating
// code, the resident types it to check in, later again to check out and
// earn the points; the resident redeems a reward at /shop and the shop's
// person confirms the code there. Axe sweeps the volunteer pages; nothing
// may leave the host or break the pages' policy.
//
//   node web/tests/volunteer.mjs http://127.0.0.1:8080 CLOCK target/screenshots
// Prints one JSON line: {"activity": …, "code_hint": …, "screenshots": […]}; exits 1 on failure.
import { writeFileSync } from "node:fs";
import { axeSweep } from "./a11y.mjs";
import { DESKTOP, PHONE, check, harness, step } from "./lib.mjs";

const [base, clockFile, shots = "target/screenshots"] = process.argv.slice(2);
const CODE = "510104022006";
const HERE = { geolocation: { longitude: 104.0823, latitude: 30.6598 }, permissions: ["geolocation"] };

function setClock(instant) {
  step("clock " + instant.toISOString());
  writeFileSync(clockFile, instant.toISOString() + "\n");
}

const h = await harness(base, shots);
const { as, shot, screenshots } = h;

// Submit the form whose action ends with `action`; the page it leads to must show no refusal.
async function submit(page, action) {
  const form = page.locator(`form[action$='${action}']`).first();
  await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
  const error = page.locator(".error");
  check(await error.count() === 0, `${action}: refused: ${await error.count() ? await error.innerText() : ""}`);
}

async function codeOn(page) {
  await page.reload();
  const code = (await page.locator(".big-code").innerText()).trim();
  check(/^[0-9]{6}$/.test(code), "the organiser's page shows six digits: " + code);
  return code;
}

{
  const list = await (await fetch(`${base}/api/v1/communities/${CODE}/activities`)).json();
  check(list.length === 1, "the demo's one activity: " + JSON.stringify(list));
  const activity = list[0];
  const page = "/activities/" + activity.id;

  // The community's public page lists it, signed out.
  const { page: visitor } = await as(null, PHONE);
  await visitor.goto(`${base}/c/${CODE}`);
  check(await visitor.locator(`#community-activities a[href='${page}']`).count() === 1, "the community's page lists the activity");

  // The resident opts in and signs up.
  const { page: resident } = await as("demo_resident", PHONE, HERE);
  await resident.goto(base + "/volunteer");
  await resident.check("input[name=skills][value=elderly]");
  await resident.fill("input[name=availability]", "周末上午");
  await submit(resident, "/volunteer");
  check(await resident.locator("input[name=skills][value=elderly]").isChecked(), "the profile is kept");
  await resident.goto(base + page);
  await submit(resident, "/do/signup");
  check((await resident.locator("#main").innerText()).includes("已报名"), "signed up");
  await shot(resident, "volunteer-signed-up");

  // On the day: the organiser's code, typed on the phone.
  const start = new Date(activity.starts_at);
  setClock(new Date(start.getTime() + 10 * 60 * 1000));
  const { page: organiser } = await as("demo_community", DESKTOP);
  await organiser.goto(base + page);
  await resident.reload();
  await resident.fill("input[name=code]", await codeOn(organiser));
  await submit(resident, "/do/checkin");
  check((await resident.locator("#main").innerText()).includes("已签到"), "checked in");
  setClock(new Date(start.getTime() + 100 * 60 * 1000));
  await resident.reload();
  await resident.fill("input[name=code]", await codeOn(organiser));
  await submit(resident, "/do/checkout");
  check((await resident.locator("#main").innerText()).includes("已签退"), "checked out");
  await organiser.reload();
  // The drill clock runs on from where the script sets it: 89 or 90 minutes.
  const roster = await organiser.locator("section[aria-labelledby=roster] table").innerText();
  check(/\b(89|90)\b/.test(roster) && roster.includes("📍"), "the roster has the minutes and the position: " + roster);
  await shot(organiser, "volunteer-organiser");

  // Points earned, then redeemed at the shop and confirmed there.
  await resident.goto(base + "/volunteer");
  check((await resident.locator(".big-number").innerText()).trim() === String(activity.points), "the points earned");
  await resident.goto(base + "/shop");
  const item = resident.locator("article.card", { hasText: "理发一次" });
  await Promise.all([resident.waitForNavigation(), item.locator("button[type=submit]").click()]);
  const code = (await resident.locator("[data-redemption-code]").innerText()).trim();
  check(/^[A-Z2-9]{10}$/.test(code), "a redemption code: " + code);
  await shot(resident, "volunteer-redeemed");
  await organiser.goto(base + "/shop");
  await organiser.fill("input[name=code]", code);
  await Promise.all([organiser.waitForNavigation(), organiser.locator("form[action='/shop/confirm'] button[type=submit]").click()]);
  const ok = await organiser.locator(".ok").innerText();
  check(ok.includes("已核销") && ok.includes("理发一次"), "the shop confirmed: " + ok);
  await resident.goto(base + "/volunteer");
  check((await resident.locator("#main").innerText()).includes("已核销"), "the resident sees it confirmed");

  const found = await axeSweep(as, base, [
    ["resident", "demo_resident", [page, "/volunteer", "/shop"]],
    ["public", null, [page, "/shop", `/c/${CODE}/leaderboard`]],
  ], [PHONE, DESKTOP], step);
  check(found.length === 0, "accessibility:\n" + found.join("\n"));
  await h.done();
  console.log(JSON.stringify({ activity: activity.id, code_hint: code.slice(-3), screenshots }));
}
