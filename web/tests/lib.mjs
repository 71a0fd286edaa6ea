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
