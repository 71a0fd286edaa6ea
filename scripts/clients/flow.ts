// The generated-client check, TypeScript side: types generated from
// /api/openapi.json by openapi-typescript (npm), calls through openapi-fetch,
// compiled by tsc in strict mode (a wrong path, parameter or field in the
// document fails here at compile time), then run against a live demo server:
// sign in, report a matter, list it, run a command, read the timeline.
// scripts/clients/README.md says how it is run.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// The two things of Node this script uses (no @types/node needed).
declare const process: { argv: string[]; exit(code: number): never };

const base = process.argv[2];
const password = "Shanzhi-Demo-2026";

function check(ok: boolean, what: string): asserts ok {
  if (!ok) {
    console.error(`typescript client: ${what}`);
    process.exit(1);
  }
}

async function signedIn(username: string) {
  const anonymous = createClient<paths>({ baseUrl: base });
  const { data, error } = await anonymous.POST("/api/v1/auth/login", { body: { username, password } });
  check(data !== undefined, `sign-in of ${username} answered ${JSON.stringify(error)}`);
  return createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${data.token}` } });
}

const words = "生成的 TypeScript 客户端上报";
const resident = await signedIn("demo_resident");
const reported = await resident.POST("/api/v1/matters", {
  body: { category: "0110", description: `${words}：路灯不亮`, lng: 104.11912, lat: 30.60931 },
});
check(reported.data !== undefined, `report answered ${JSON.stringify(reported.error)}`);
const matter = reported.data.matter;
check(matter.state === "reported", `a new matter is ${matter.state}`);

const dispatcher = await signedIn("demo_dispatcher");
const listed = await dispatcher.GET("/api/v1/matters", { params: { query: { state: "reported", q: words } } });
check(listed.data !== undefined, `list answered ${JSON.stringify(listed.error)}`);
check(listed.data.items.some((m) => m.id === matter.id), `${matter.number} is not among the reported matters`);

const accepted = await dispatcher.POST("/api/v1/matters/{id}/commands/{command}", {
  params: { path: { id: matter.id, command: "accept" } },
  body: {},
});
check(accepted.data?.state === "filed", `accept answered ${JSON.stringify(accepted.error ?? accepted.data)}`);

const timeline = await dispatcher.GET("/api/v1/matters/{id}/timeline", { params: { path: { id: matter.id } } });
check(timeline.data !== undefined, `timeline answered ${JSON.stringify(timeline.error)}`);
const commands = timeline.data.map((e) => e.command);
check(JSON.stringify(commands) === '["report","accept"]', `timeline commands ${JSON.stringify(commands)}`);
console.log(`typescript client: ${matter.number} reported, listed, accepted; timeline ${JSON.stringify(commands)}`);
