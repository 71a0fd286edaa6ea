// Shared by the browser scripts: a page in a fresh context that collects
// Content-Security-Policy refusals and script errors into `policy`, signed
// in by password when a user name is given. (flow.mjs and deliberation.mjs
// still carry their own copy of this `as()`; new scripts import it.)
export const PASSWORD = "Shanzhi-Demo-2026";

export function fail(msg) { console.error("FAIL: " + msg); process.exit(1); }
export function check(cond, msg) { if (!cond) fail(msg); }

export async function openAs(browser, base, policy, username, viewport, extra = {}) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", ...extra });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) { policy.push(m.text()); }
  });
  page.on("pageerror", (e) => policy.push("script error: " + e.message));
  if (username) {
    await page.goto(base + "/login");
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
    check(!page.url().includes("/login"), "signed in as " + username);
  }
  return { context, page };
}
