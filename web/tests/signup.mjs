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
import { PHONE as PHONE_SIZE, check, fail, gridCentre, harness, reportHere, signUpByPhone, withCookies } from "./lib.mjs";

const [base, gateway, shots = "target/screenshots"] = process.argv.slice(2);
const NUMBER = "13700001234";
const h = await harness(base, shots);
const as = h.as;

// A point inside 总府路社区's first grid, for the report.
const [lng, lat] = await gridCentre(base);

const { page } = await as(null, PHONE_SIZE, { geolocation: { latitude: lat, longitude: lng }, permissions: ["geolocation"] });
await signUpByPhone(page, base, gateway, NUMBER, (p) => h.shot(p, "signup-code-phone"));

const number = await reportHere(page, base, "注册后上报：小区门口路灯不亮。");
check(await page.locator("#private-link").count() === 0, "signed in: no private link needed");
await page.goto(base + "/track");
check(await page.locator(`a[href='/track?number=${number}']`).count() === 1, "the report is among my reports");
const me = await (await page.context().request.get(base + "/api/v1/me")).json();

// The resident's session in a context axe may inject into (bypassCSP).
const signedIn = withCookies(as, await page.context().cookies());
const found = await axeSweep(signedIn, base, [["resident", null, ["/account", "/privacy", "/signup"]]], [PHONE_SIZE], () => {});
if (found.length) { fail("axe: " + found.join("\n")); }
await h.done();
console.log(JSON.stringify({ number, username: me.username }));
