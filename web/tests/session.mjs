// Shared by the browser scripts: a browser context per person, signed in
// through the login page, that records what breaks the pages' rules — a
// request to another host, a script error, anything the content security
// policy refused. (flow.mjs and deliberation.mjs still carry their own copy
// of this helper; new scripts import it from here.)
export const PASSWORD = "Shanzhi-Demo-2026";

// `as(username, viewport, extra)` for `browser` against `base`; what breaks
// the rules is pushed to `broken`. `username` null: nobody signed in.
export function people(browser, base, broken, step = () => {}) {
  const host = new URL(base).host;
  return async function as(username, viewport, extra = {}) {
    const context = await browser.newContext({ viewport, locale: "zh-CN", ...extra });
    context.on("request", (r) => {
      const u = new URL(r.url());
      if ((u.protocol === "http:" || u.protocol === "https:") && u.host !== host) { broken.push("off the host: " + r.url()); }
    });
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) { broken.push(m.text()); }
    });
    page.on("pageerror", (e) => broken.push("script error: " + e.message));
    if (username) {
      step("sign in " + username);
      await page.goto(base + "/login");
      await page.fill("input[name=username]", username);
      await page.fill("input[name=password]", PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
      if (page.url().includes("/login")) { throw new Error("could not sign in as " + username); }
    }
    return { context, page };
  };
}
