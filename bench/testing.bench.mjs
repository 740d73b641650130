// Actions per second through the in-process test API (`livetemplate/testing`): a page with a
// counter and a 20-row keyed list, one tab; each action is `page.click(...)` (parse the page,
// find the element, read its lvt-click, dispatch, apply the reply to the tab's tree), so the
// figure is what a test suite gets, not the engine alone. Knobs: BENCH_N (actions, default 20000).
import { Template, silentLogger } from "../dist/index.js";
import { liveTest } from "../dist/testing/index.js";

const N = Number(process.env.BENCH_N ?? 20000);
class Board {
  count = 0;
  rows = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `row ${i}` }));
  increment() {
    this.count++;
    this.rows[this.count % 20].name = `row ${this.count}`;
  }
}
const tmpl = new Template("bench").parse(
  `<h1>{{.count}}</h1><button lvt-click="increment">+</button><ul>{{range .rows}}<li data-key="{{.id}}">{{.name}}</li>{{end}}</ul>`,
);
const page = await liveTest(tmpl, Board, { handler: { logger: silentLogger } });
for (let i = 0; i < 500; i++) await page.click("button");
const clickStart = performance.now();
for (let i = 0; i < N; i++) await page.click("button");
const clickSec = (performance.now() - clickStart) / 1000;
const sendStart = performance.now();
for (let i = 0; i < N; i++) await page.send("increment");
const sendSec = (performance.now() - sendStart) / 1000;
if (page.text("h1") !== String(500 + 2 * N)) throw new Error(`count is ${page.text("h1")}`);
console.log("| through | actions | seconds | actions/s |");
console.log("|---|---|---|---|");
console.log(`| page.click(selector) | ${N} | ${clickSec.toFixed(2)} | ${Math.round(N / clickSec)} |`);
console.log(`| page.send(action) | ${N} | ${sendSec.toFixed(2)} | ${Math.round(N / sendSec)} |`);
await page.close();
