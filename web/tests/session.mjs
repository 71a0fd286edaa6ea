// Shared pieces of the browser tests: fail/check, API calls with a token,
// and a signed-in page in its own context that records any content
// security policy refusal or script error into `policy`.

export const PASSWORD = "Shanzhi-Demo-2026";

export function fail(msg) { console.error("FAIL: " + msg); process.exit(1); }
export function check(cond, msg) { if (!cond) { fail(msg); } }

// `method path` with a bearer token and a JSON (or text) body; the answer's text.
export async function request(base, method, path, token, body, type = "application/json") {
  const r = await fetch(base + path, {
    method,
    headers: { "content-type": type, ...(token ? { authorization: "Bearer " + token } : {}) },
    body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)),
  });
  const text = await r.text();
  check(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return { text, headers: r.headers };
}

export async function token(base, username) {
  const { text } = await request(base, "POST", "/api/v1/auth/login", null, { username, password: PASSWORD });
  return JSON.parse(text).token;
}

// A page of `browser` signed in as `username` (a visitor without one).
export async function signedIn(browser, base, username, viewport, policy, extra = {}) {
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
