// What every browser script shares: the demo's password and the two widths,
// a trace (FLOW_TRACE=1), failing with a message, the JSON API, Chromium
// with a signed-in page per context that records any request leaving the
// host and anything the content security policy refused, and screenshots.
//
//   const h = await harness(base, shots);
//   const { page, context } = await h.as("demo_resident", PHONE);
//   …; await h.done();   // closes the browser; fails on foreign requests or CSP
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const PASSWORD = "Shanzhi-Demo-2026";
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

const t0 = Date.now();
export function step(msg) { if (process.env.FLOW_TRACE) { console.error(`${((Date.now() - t0) / 1000).toFixed(1)}s ${msg}`); } }
export function fail(msg) { console.error("FAIL: " + msg); process.exit(1); }
export function check(cond, msg) { if (!cond) fail(msg); }

export async function harness(base, shots = "target/screenshots") {
  const host = new URL(base).host;
  const foreign = [];
  const policy = [];
  const screenshots = [];
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.SHANZHI_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });

  // The JSON API: the call must succeed; its answer parsed.
  async function call(method, path, token, body) {
    const r = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: "Bearer " + token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    check(r.ok, `${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function token(username) {
    return (await call("POST", "/api/v1/auth/login", null, { username, password: PASSWORD })).token;
  }

  // A signed-in page (or a visitor's, without `username`), in a new context.
  async function as(username, viewport, extra = {}) {
    const context = await browser.newContext({ viewport, locale: "zh-CN", ...extra });
    context.on("request", (r) => {
      const u = new URL(r.url());
      if ((u.protocol === "http:" || u.protocol === "https:") && u.host !== host) { foreign.push(r.url()); }
    });
    const page = await context.newPage();
    // The pages pass their own content security policy: no inline script or
    // style is refused, and no script fails.
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) { policy.push(m.text()); }
    });
    page.on("pageerror", (e) => policy.push("script error: " + e.message));
    if (username) {
      step("sign in " + username);
      await page.goto(base + "/login");
      await page.fill("input[name=username]", username);
      await page.fill("input[name=password]", PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
      check(!page.url().includes("/login"), "signed in as " + username);
    }
    return { context, page };
  }

  async function shot(page, name) {
    step("screenshot " + name);
    const file = join(shots, name + ".png");
    await page.screenshot({ path: file, fullPage: true });
    screenshots.push(file);
  }

  // The end: no request left the host and the policy refused nothing.
  async function done() {
    await browser.close();
    check(foreign.length === 0, "requests left the host: " + foreign.join(", "));
    check(policy.length === 0, "the content security policy refused something: " + policy.join(" | "));
  }

  return { browser, call, token, as, shot, done, screenshots, foreign, policy };
}

// The middle of 总府路社区's first grid (lng, lat): where the walks report.
export async function gridCentre(base) {
  const cell = await (await fetch(base + "/api/v1/grids/510104022006001")).json();
  const ring = cell.geometry.coordinates[0][0];
  return ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
}

// The six-digit code in the last text the test's fake SMS gateway kept for
// `phone` (it answers `GET /last/{phone}`), polled for up to five seconds.
export async function smsCode(gateway, phone) {
  for (let i = 0; i < 50; i++) {
    const r = await fetch(`${gateway}/last/${phone}`);
    if (r.ok) {
      const m = (await r.text()).match(/\b(\d{6})\b/);
      if (m) { return m[1]; }
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  fail("no code reached the gateway");
}

// A resident signs up by phone on the pages: /login → 手机验证码登录 → the
// number → the code from the gateway, with consent → /account. `onCode(page)`
// runs while the code is asked for (a screenshot).
export async function signUpByPhone(page, base, gateway, phone, onCode = async () => {}) {
  step("sign up by phone " + phone);
  await page.goto(base + "/login");
  await Promise.all([page.waitForNavigation(), page.click("#sms-login a[href='/signup']")]);
  await page.fill("#phone-form input[name=phone]", phone);
  await Promise.all([page.waitForNavigation(), page.click("#phone-form button[type=submit]")]);
  check(await page.locator("#code-form").count() === 1, "the code is asked for");
  check(await page.locator("#code-form input[name=consent]").count() === 1, "a first sign-in asks for consent");
  await onCode(page);
  await page.fill("#code-form input[name=code]", await smsCode(gateway, phone));
  await page.check("#code-form input[name=consent]");
  await Promise.all([page.waitForNavigation(), page.click("#code-form button[type=submit]")]);
  check(page.url().endsWith("/account"), "signed up and on the account page: " + page.url());
  check((await page.textContent("h1")).includes("我的账号"), "the account page");
}

// A report from the resident page where the page's geolocation says, of
// category 0101; its tracking number.
export async function reportHere(page, base, description) {
  step("report");
  await page.goto(base + "/report");
  await page.click("#use-location");
  await page.waitForFunction(() => document.querySelector("#lat").value !== "");
  await page.selectOption("select[name=category]", "0101");
  await page.fill("textarea[name=description]", description);
  await Promise.all([page.waitForNavigation(), page.click("#report-form button[type=submit]")]);
  const number = (await page.textContent("#tracking-number")).trim();
  check(/^510104-\d{8}-\d{6}$/.test(number), "a tracking number: " + number);
  return number;
}

// A signed-in person's session copied into a context axe may inject into
// (bypassCSP): `axeSweep`'s way to open pages as someone signed in by code.
export function withCookies(as, cookies) {
  return async (_username, viewport, extra) => {
    const opened = await as(null, viewport, extra);
    await opened.context.addCookies(cookies);
    return opened;
  };
}
