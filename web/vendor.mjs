// Copy the pinned front-end packages from node_modules (installed by
// `npm ci`, checked against package-lock.json's sha512) into the web crate,
// which compiles them in: the UI makes no request to any other host.
//
//   cd web && npm ci && npm run vendor
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "../crates/shanzhi-web/assets/vendor");
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));

// package → files to keep (paths inside the package).
const keep = {
  "htmx.org": ["dist/htmx.min.js", "LICENSE"],
  leaflet: ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
    "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png", "LICENSE"],
  echarts: ["dist/echarts.min.js", "LICENSE", "NOTICE"],
  // Draws a deployer's PMTiles base map in the browser (no tile server, no other host).
  "protomaps-leaflet": ["dist/protomaps-leaflet.js", "LICENSE"],
  "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"],
};

for (const [name, files] of Object.entries(keep)) {
  const entry = lock.packages[`node_modules/${name}`];
  const dest = join(out, name);
  rmSync(dest, { recursive: true, force: true });
  for (const f of files) {
    const target = join(dest, f.replace(/^dist\//, ""));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(here, "node_modules", name, f), target);
  }
  writeFileSync(join(dest, "VERSION"), `${name}@${entry.version} ${entry.integrity}\n`);
  console.log(`vendored ${name}@${entry.version}`);
}
