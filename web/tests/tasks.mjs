// A task given by NAME and done site by site, in headless Chromium (issue
// #20, "users see names, never codes"): the community worker opens
// /tasks/new, ticks 总府路社区's first grid by its name (no code typed),
// writes a checklist of two sites and gives the task; the page names the
// grid. The grid worker of that grid opens /grid/tasks on a phone, sees the
// task with the grid's name, marks both sites and completes it. Axe sweeps
// the pages; nothing may leave the host or break the pages' policy.
//
//   node web/tests/tasks.mjs http://127.0.0.1:8080 CLOCK target/screenshots
// Prints one JSON line: {"task": …, "grid": …, "screenshots": […]}; exits 1 on failure.
import { axeSweep } from "./a11y.mjs";
import { DESKTOP, PHONE, check, harness, step } from "./lib.mjs";

const [base, , shots = "target/screenshots"] = process.argv.slice(2);
const GRID = "510104022006001";
const TITLE = "全部商铺消防安全检查";
const SITES = ["总府路2号好再来餐馆", "总府路4号便利店"];
// The drill clock starts on Monday 2026-11-30: due on that Friday.
const DUE = "2026-12-04";

const h = await harness(base, shots);
const { as, call, shot, screenshots } = h;
const gridName = (await call("GET", `/api/v1/grids/${GRID}`)).properties.name;
check(gridName && !gridName.includes(GRID), "the demo grid has a name: " + gridName);

// 1. The community worker gives the task, ticking the grid by its name.
const { page: giver } = await as("demo_community", DESKTOP);
step("the task form");
await giver.goto(base + "/tasks/new");
const grids = giver.locator("#task-grid-choices");
check((await grids.innerText()).includes(gridName), "the grids are offered by name");
check(await giver.locator("input[name=grids], textarea[name=grids]").count() === 0, "no grid codes to type");
// By its name alone (its micro-grids' names begin with it).
const box = grids.getByRole("checkbox", { name: gridName, exact: true });
check(await box.count() === 1, "one box for " + gridName);
const width = await box.evaluate((e) => e.getBoundingClientRect().width);
check(width < 40, "a checkbox is not stretched across the form: " + width + "px");
await box.check();
await giver.fill("#task-new input[name=title]", TITLE);
await giver.fill("#task-new textarea[name=details]", "检查灭火器是否在有效期内、疏散通道是否畅通");
await giver.fill("#task-new input[name=due_on]", DUE);
await giver.locator("#task-new input[name=organisation]").uncheck();
await giver.fill("#task-new textarea[name=sites]", SITES.join("\n"));
await shot(giver, "tasks-new");
await Promise.all([giver.waitForNavigation(), giver.click("#task-new button[type=submit]")]);
const id = (giver.url().match(/\/tasks\/([^/?#]+)$/) || [])[1];
check(id && id !== "new", "the task page opens: " + giver.url());
const given = await giver.locator("#main").innerText();
check((await giver.locator("#task-to").innerText()).includes(gridName), "the task names its grid");
check((await giver.locator("#task-grids").innerText()).includes(gridName), "progress per grid, by name");
check(!given.includes(GRID), "no grid code is shown");
check(!given.includes("未定网格"), "the sites are in the task's one grid");
await shot(giver, "tasks-given");

// 2. The grid worker marks each site on a phone and completes the task.
const { page } = await as("demo_grid", PHONE);
step("my tasks");
await page.goto(base + "/grid/tasks");
const mine = await page.locator("#my-tasks").innerText();
check(mine.includes(TITLE) && mine.includes(gridName), "my tasks name the task and its grid");
check(!mine.includes(GRID), "no grid code on my tasks");
await shot(page, "tasks-mine");
await Promise.all([page.waitForNavigation(), page.locator("#my-tasks a", { hasText: TITLE }).click()]);
for (let seq = 1; seq <= SITES.length; seq++) {
  step("mark site " + seq);
  const site = page.locator(`#site-${seq}`);
  check((await site.innerText()).includes(SITES[seq - 1]), `site ${seq} is ${SITES[seq - 1]}`);
  await site.locator("summary").click();
  await Promise.all([page.waitForNavigation(), site.locator("button[value=done]").click()]);
  check((await page.locator(`#site-${seq}`).innerText()).includes("已完成"), `site ${seq} is done`);
}
check((await page.locator("#task-progress").innerText()).includes("2/2"), "both sites checked");
await page.fill("#task-complete textarea[name=result]", "两处商铺均已检查，灭火器有效");
await Promise.all([page.waitForNavigation(), page.click("#task-complete button[type=submit]")]);
const result = await page.locator("#task-result").innerText();
check(result.includes("完成于") && result.includes("按时"), "completed on time: " + result);
await shot(page, "tasks-completed");

const inaccessible = await axeSweep(as, base, [
  ["community worker", "demo_community", ["/tasks/new", `/tasks/${id}`]],
  ["grid worker", "demo_grid", ["/grid/tasks"]],
], [PHONE, DESKTOP], step);
check(inaccessible.length === 0, "axe-core found accessibility violations:\n  " + inaccessible.join("\n  "));

await h.done();
console.log(JSON.stringify({ task: id, grid: gridName, screenshots }));
