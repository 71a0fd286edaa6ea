// Screenshots of the desk, the report page and the map at three zoom levels
// (issue 15 asked for them before and after), from a running demo server:
//
//   node web/tests/shots.mjs http://127.0.0.1:8080 docs/screenshots/after
import { chromium } from "playwright-core";
const [base, out] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.SHANZHI_CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
async function as(username, viewport) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  if (username) {
    await page.goto(base + "/login");
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", "Shanzhi-Demo-2026");
    await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  }
  return page;
}
const D = { width: 1366, height: 900 }, P = { width: 390, height: 844 };
let p = await as("demo_dispatcher", D);
await p.goto(base + "/desk"); await p.waitForLoadState("networkidle");
await p.screenshot({ path: `${out}/desk-desktop.png` });
p = await as(null, P);
await p.goto(base + "/report"); await p.waitForLoadState("networkidle"); await p.waitForTimeout(1500);
await p.screenshot({ path: `${out}/report-phone.png`, fullPage: true });
p = await as("demo_supervisor", D);
for (const z of [11, 14, 17]) {
  await p.goto(base + "/map"); await p.waitForLoadState("networkidle");
  // Zoom with the keyboard from the page's default (13), as a person would.
  await p.click("#grid-map", { position: { x: 400, y: 200 } });
  const key = z > 13 ? "Equal" : "Minus";
  for (let i = 0; i < Math.abs(z - 13); i++) { await p.keyboard.press(key); await p.waitForTimeout(400); }
  await p.waitForTimeout(2500);
  await p.screenshot({ path: `${out}/map-z${z}.png` });
}
await browser.close();
console.log("ok");
