// Accessibility: axe-core (npm, pinned in package-lock.json, run from
// node_modules: nothing is fetched) checks every page each role opens, at
// phone and desktop width, against WCAG 2.1 A/AA, and that no header link
// is cut off at the screen's edge. Any violation fails the flow with the
// rule, the page and the offending elements.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// What one page violates, as lines a person can act on.
async function violations(page) {
  // The pages forbid inline scripts (CSP); the checking context bypasses
  // its own policy only to inject axe, never the pages' requests.
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  }, TAGS);
  return result.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(" | ")}`);
}

// `visits`: [role label, username or null, [paths]]; `as(username, viewport,
// extra)` opens a signed-in page (flow.mjs's helper).
export async function axeSweep(as, base, visits, viewports, step) {
  const found = [];
  for (const [label, username, paths] of visits) {
    const { context, page } = await as(username, viewports[0], { bypassCSP: true });
    for (const viewport of viewports) {
      await page.setViewportSize(viewport);
      for (const path of paths) {
        step(`axe ${label} ${path} ${viewport.width}`);
        const r = await page.goto(base + path);
        if (!r || r.status() >= 400) {
          found.push(`${label} ${path}: HTTP ${r ? r.status() : "none"}`);
          continue;
        }
        await page.waitForLoadState("networkidle");
        for (const v of await violations(page)) { found.push(`${label} ${path} @${viewport.width}px: ${v}`); }
        // Every link of the header can be seen: none cut off at the edge.
        const cut = await page.$$eval("header.top nav a", (links) => links
          .filter((a) => { const r = a.getBoundingClientRect(); return r.right > window.innerWidth + 1 || r.width === 0; })
          .map((a) => a.textContent.trim()));
        if (cut.length) { found.push(`${label} ${path} @${viewport.width}px: header links cut off: ${cut.join(", ")}`); }
      }
    }
    await context.close();
  }
  return found;
}
