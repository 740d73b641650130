// Server internals: the cost of tracking an action's writes (write journal vs snapshot vs none),
// what the journal's change hint saves in rendering, and broadcast fan-out to one group of many
// connections (in-process members, then real WebSockets on 127.0.0.1).
// Run: npm run build && node bench/server-internals.bench.mjs
import http from "node:http";
import { once } from "node:events";
import WebSocket from "ws";
import { Template, WriteJournal, createLiveHandler, silentLogger } from "../dist/index.js";
import { snapshotStores } from "../dist/changes/journal.js";
import { SessionGroup } from "../dist/session/group.js";
import { aliasedObjects } from "../dist/changes/alias-scan.js";

const ROWS = Number(process.env.ROWS ?? 1000);
const REAL_CONNS = Number(process.env.REAL_CONNS ?? 5000);
const FAKE_CONNS = Number(process.env.FAKE_CONNS ?? 10000);

class Todos {
  constructor() {
    this.title = "Todos";
    this.todos = [];
    for (let i = 0; i < ROWS; i++) this.todos.push({ id: i, text: `item ${i}`, done: false, tags: ["a"] });
  }
  toggle(id) {
    const t = this.todos.find((x) => x.id === id);
    t.done = !t.done;
  }
  add(i) {
    this.todos.push({ id: ROWS + i, text: "new", done: false, tags: [] });
    this.todos.pop();
  }
  rename(i) {
    this.title = "T" + i;
  }
}

function time(label, n, fn) {
  for (let i = 0; i < Math.min(200, n); i++) fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  return { label, us };
}

const results = [];
const report = (r) => {
  results.push(r);
  console.log(`${r.label.padEnd(58)} ${r.us.toFixed(2).padStart(10)} µs/op`);
};

console.log(`# 1. tracking one action on a store with ${ROWS} todos (no render)`);
for (const [name, act] of [
  ["toggle one item (find + write)", (s, i) => s.toggle(i % ROWS)],
  ["push + pop one item", (s, i) => s.add(i)],
  ["rename the title", (s, i) => s.rename(i)],
]) {
  const raw = new Todos();
  report(time(`${name}: untracked`, 5000, (i) => act(raw, i)));
  const j = new Todos();
  report(
    time(`${name}: write journal`, 5000, (i) => {
      const journal = new WriteJournal();
      act(journal.wrap(j, []), i);
      journal.close();
      journal.paths();
    }),
  );
  const snap = new Todos();
  report(
    time(`${name}: snapshot`, 500, (i) => {
      snapshotStores({ "": snap });
      act(snap, i);
    }),
  );
}
const scanned = new Todos();
report(time(`aliasing scan of the whole store (after an action that stores an object)`, 2000, () => aliasedObjects([scanned])));
const rb = new Todos();
report(
  time("rollback of a journaled toggle", 5000, (i) => {
    const journal = new WriteJournal();
    journal.wrap(rb, []).toggle(i % ROWS);
    journal.close();
    journal.rollback();
  }),
);

console.log(`\n# 2. render after one toggle, ${ROWS}-row keyed list (real Template)`);
const SOURCE = `<h1>{{.title}}</h1><ul>{{range .todos}}<li data-key="{{.id}}" class="{{if .done}}done{{end}}">{{.text}}{{range .tags}}<em>{{.}}</em>{{end}}</li>{{end}}</ul>`;
const base = new Template("bench").parse(SOURCE);
{
  const store = new Todos();
  const hinted = base.clone();
  hinted.executeUpdates(store);
  report(
    time("journaled toggle + hinted executeUpdates", 2000, (i) => {
      const journal = new WriteJournal();
      journal.wrap(store, []).toggle(i % ROWS);
      journal.close();
      hinted.executeUpdates(store, { changed: journal.paths() });
    }),
  );
  const full = base.clone();
  full.executeUpdates(store);
  report(time("untracked toggle + unhinted executeUpdates", 300, (i) => {
    store.toggle(i % ROWS);
    full.executeUpdates(store);
  }));
}

console.log(`\n# 3. broadcast fan-out to one group`);
{
  const store = new Todos();
  const g = new SessionGroup("g", { "": store }, base, (s) => s[""]);
  let frames = 0;
  let bytes = 0;
  const members = [];
  for (let i = 0; i < FAKE_CONNS; i++) {
    const m = { id: `m${i}`, sendFrame: (f) => ((frames++, (bytes += f.length)), true) };
    members.push(m);
  }
  for (const m of members) g.fullTreeFor(m);
  report(
    time(`${FAKE_CONNS} in-process members: render once, encode once, fan out`, 200, (i) => {
      store.todos[i % ROWS].done = !store.todos[i % ROWS].done;
      g.noteChanged([["todos", i % ROWS, "done"]]);
      g.pushUpdate();
    }),
  );
  console.log(`   (${frames} frames, ${(bytes / frames).toFixed(0)} bytes each on average)`);
}

{
  const tmpl = new Template("b").parse(`<p>{{.n}}</p>`);
  const handler = createLiveHandler(tmpl, () => ({ n: 0 }), {
    logger: silentLogger,
    maxConnections: REAL_CONNS + 10,
    heartbeatMs: 0,
    authenticator: { identify: () => "", getSessionGroup: () => "everyone" },
  });
  const server = http.createServer(handler);
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `ws://127.0.0.1:${server.address().port}/`;
  const clients = [];
  let received = 0;
  let onAll;
  for (let i = 0; i < REAL_CONNS; i++) {
    const ws = new WebSocket(url);
    let first = true;
    ws.on("message", () => {
      if (first) {
        first = false;
        return;
      }
      if (++received === REAL_CONNS) onAll();
    });
    clients.push(once(ws, "open").then(() => ws));
    if (i % 500 === 499) await Promise.all(clients.slice(-500));
  }
  const sockets = await Promise.all(clients);
  while (handler.connectionCount < REAL_CONNS) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const runs = [];
  for (let k = 1; k <= 5; k++) {
    received = 0;
    const done = new Promise((r) => (onAll = r));
    const t0 = process.hrtime.bigint();
    await handler.broadcastToGroup("everyone", (d) => void (d.n = k));
    const queued = Number(process.hrtime.bigint() - t0) / 1e6;
    await done;
    const delivered = Number(process.hrtime.bigint() - t0) / 1e6;
    runs.push({ queued, delivered });
  }
  runs.sort((a, b) => a.delivered - b.delivered);
  const med = runs[2];
  console.log(
    `${REAL_CONNS} real WebSockets in one group: broadcast queued in ${med.queued.toFixed(1)} ms, ` +
      `all ${REAL_CONNS} clients received in ${med.delivered.toFixed(1)} ms (median of 5; clients in the same process)`,
  );
  for (const ws of sockets) ws.terminate();
  await handler.close();
  server.close();
}
