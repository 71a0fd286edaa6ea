// A resident signs up by phone in headless Chromium, at phone width: from
// the sign-in page to 手机验证码登录, the code read from the fake SMS
// gateway the test runs, consent on the first sign-in, then a report from
// the resident page, which is theirs on /track; the privacy page and the
// account page pass axe.
//
//   node web/tests/signup.mjs http://127.0.0.1:8080 http://127.0.0.1:GATEWAY target/screenshots
// The gateway answers `GET /last/{phone}` with the last message to the phone.
// Prints one JSON line: {"number": …, "username": …}; exits 1 on failure.
import { axeSweep } from "./a11y.mjs";
import { PHONE as PHONE_SIZE, check, fail, harness } from "./lib.mjs";

const [base, gateway, shots = "target/screenshots"] = process.argv.slice(2);
const NUMBER = "13700001234";
const h = await harness(base, shots);
const as = h.as;

async function lastCode() {
  for (let i = 0; i < 50; i++) {
    const r = await fetch(`${gateway}/last/${NUMBER}`);
    if (r.ok) {
      const m = (await r.text()).match(/\b(\d{6})\b/);
      if (m) { return m[1]; }
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  fail("no code reached the gateway");
}

// A point inside 总府路社区's first grid, for the report.
const cell = await (await fetch(base + "/api/v1/grids/510104022006001")).json();
const ring = cell.geometry.coordinates[0][0];
const [lng, lat] = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);

const { page } = await as(null, PHONE_SIZE, { geolocation: { latitude: lat, longitude: lng }, permissions: ["geolocation"] });
await page.goto(base + "/login");
await Promise.all([page.waitForNavigation(), page.click("#sms-login a[href='/signup']")]);
await page.fill("#phone-form input[name=phone]", NUMBER);
await Promise.all([page.waitForNavigation(), page.click("#phone-form button[type=submit]")]);
check(await page.locator("#code-form").count() === 1, "the code is asked for");
check(await page.locator("#code-form input[name=consent]").count() === 1, "a first sign-in asks for consent");
await h.shot(page, "signup-code-phone");
await page.fill("#code-form input[name=code]", await lastCode());
await page.check("#code-form input[name=consent]");
await Promise.all([page.waitForNavigation(), page.click("#code-form button[type=submit]")]);
check(page.url().endsWith("/account"), "signed up and on the account page: " + page.url());
check((await page.textContent("h1")).includes("我的账号"), "the account page");

await page.goto(base + "/report");
await page.click("#use-location");
await page.waitForFunction(() => document.querySelector("#lat").value !== "");
await page.selectOption("select[name=category]", "0101");
await page.fill("textarea[name=description]", "注册后上报：小区门口路灯不亮。");
await Promise.all([page.waitForNavigation(), page.click("#report-form button[type=submit]")]);
const number = (await page.textContent("#tracking-number")).trim();
check(/^510104-\d{8}-\d{6}$/.test(number), "a tracking number: " + number);
check(await page.locator("#private-link").count() === 0, "signed in: no private link needed");
await page.goto(base + "/track");
check(await page.locator(`a[href='/track?number=${number}']`).count() === 1, "the report is among my reports");
const me = await (await page.context().request.get(base + "/api/v1/me")).json();

// The resident's session in a context axe may inject into (bypassCSP).
const cookies = await page.context().cookies();
const signedIn = async (_username, viewport, extra) => {
  const opened = await as(null, viewport, extra);
  await opened.context.addCookies(cookies);
  return opened;
};
const found = await axeSweep(signedIn, base, [["resident", null, ["/account", "/privacy", "/signup"]]], [PHONE_SIZE], () => {});
if (found.length) { fail("axe: " + found.join("\n")); }
await h.done();
console.log(JSON.stringify({ number, username: me.username }));
