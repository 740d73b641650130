// Client side of bench/server.bench.mjs, run in its own process(es) so that the client's work never
// counts as server CPU. Speaks both protocols over loopback WebSocket:
// - "lt": livetemplate (PROTOCOL.md): GET the page for the session cookie, open a WebSocket on the
//   page URL with that cookie, receive the full tree, then send `{"action", "data"}` frames and
//   read one reply per frame.
// - "lvjs": LiveViewJS (the Phoenix LiveView channel protocol): GET the page, read the signed
//   session, the static token, the view id and the CSRF token from it, open
//   `/live/websocket?vsn=2.0.0`, send `phx_join` on topic `lv:<view id>`, then `event` messages;
//   each is answered by a `phx_reply` carrying the diff.
// Commands arrive over IPC from the bench; every reply echoes the command id.
import WebSocket from "ws";

/** @typedef {{ send(kind: string, k: number): Promise<{bytes: number, rttNs: bigint}>, close(): void, ws: WebSocket, firstBytes: number }} Conn */

const now = () => process.hrtime.bigint();

function cookieHeader(res) {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Waits for the next message on `ws` (text or binary), resolving with its byte length. */
function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      ws.off("error", onError);
      resolve(data);
    };
    const onError = (e) => {
      ws.off("message", onMessage);
      reject(e);
    };
    ws.once("message", onMessage);
    ws.once("error", onError);
  });
}

/**
 * Opens a WebSocket; resolves with it and a promise of its first message. The first message is
 * listened for before "open": it can arrive in the same read as the upgrade response.
 */
function openSocket(url, headers) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const first = nextMessage(ws);
    first.catch(() => {});
    ws.once("open", () => resolve({ ws, first }));
    ws.once("error", reject);
  });
}

/**
 * Opens a livetemplate connection. `cookie` may be given to join an existing session group;
 * otherwise a page GET creates a fresh group, as a new browser would.
 * @returns {Promise<Conn>}
 */
export async function openLt(base, path, rows, cookie, probePublished = false) {
  if (cookie === undefined) {
    const res = await fetch(base + path, { headers: { accept: "text/html" } });
    await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    cookie = cookieHeader(res);
  }
  // The first frame as the published client gets it (no capabilities), on a socket closed at once.
  let plainBytes;
  if (probePublished) {
    const plain = await openSocket(base.replace(/^http/, "ws") + path, { cookie });
    plainBytes = (await plain.first).length;
    plain.ws.close();
  }
  // Our client asks for diffs on navigation and compact range items (lvt-cap).
  const opened = await openSocket(base.replace(/^http/, "ws") + path + "?lvt-cap=nav,rows", { cookie });
  const ws = opened.ws;
  const first = await opened.first;
  const firstTree = JSON.parse(first.toString());
  if (typeof firstTree.tree !== "object") throw new Error(`first frame has no tree: ${first}`);
  return {
    ws,
    cookie,
    firstBytes: first.length,
    firstBytesPublished: plainBytes,
    async send(kind, k) {
      const msg =
        kind === "increment"
          ? { action: "increment" }
          : kind === "ping"
            ? { action: "__ping__" }
            : { action: "bump", data: { id: k % rows } };
      const reply = nextMessage(ws);
      const t0 = now();
      ws.send(JSON.stringify(msg));
      const data = await reply;
      const rttNs = now() - t0;
      return { bytes: data.length, rttNs, data };
    },
    close() {
      ws.close();
    },
  };
}

/**
 * Opens a LiveViewJS connection: page GET, then join over the Phoenix channel protocol.
 * @returns {Promise<Conn>}
 */
export async function openLvjs(base, path, rows) {
  const res = await fetch(base + path, { headers: { accept: "text/html" } });
  const page = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  const pick = (re) => {
    const m = re.exec(page);
    if (m === null || m[1] === undefined) throw new Error(`page lacks ${re}`);
    return m[1];
  };
  const csrf = pick(/<meta name="csrf-token" content="([^"]*)"/);
  const session = pick(/data-phx-session="([^"]*)"/);
  const statics = pick(/data-phx-static="([^"]*)"/);
  const viewId = pick(/id="(phx-[^"]+)"/);
  // LiveViewJS sends nothing before the join, so the first-message promise is not needed here.
  const { ws } = await openSocket(
    `${base.replace(/^http/, "ws")}/live/websocket?_csrf_token=${encodeURIComponent(csrf)}&vsn=2.0.0`,
    { cookie: cookieHeader(res) },
  );
  const topic = `lv:${viewId}`;
  const joinRef = "1";
  // Message refs count from 1; the join is "1", so it matches joinRef as the Phoenix client does.
  let ref = 0;
  const call = async (event, payload, onTopic = topic) => {
    const myRef = String(++ref);
    const t0 = now();
    ws.send(JSON.stringify([joinRef, myRef, onTopic, event, payload]));
    for (;;) {
      const data = await nextMessage(ws);
      const msg = JSON.parse(data.toString());
      // Replies carry our ref; anything else (server pushes) is not the answer.
      if (msg[1] === myRef) return { bytes: data.length, rttNs: now() - t0, data, msg };
    }
  };
  const joined = await call("phx_join", {
    url: base + path,
    params: { _csrf_token: csrf, _mounts: 0 },
    session,
    static: statics,
  });
  if (joined.msg[4]?.status !== "ok") throw new Error(`join failed: ${joined.data}`);
  return {
    ws,
    firstBytes: joined.bytes,
    send(kind, k) {
      if (kind === "increment") return call("event", { type: "click", event: "increment", value: {} });
      // The Phoenix heartbeat: answered without rendering, like livetemplate's __ping__.
      if (kind === "ping") return call("heartbeat", {}, "phoenix");
      return call("event", { type: "click", event: "bump", value: { id: String(k % rows) } });
    },
    close() {
      ws.close();
    },
  };
}

/** Opens `count` connections, `parallel` at a time. */
async function openMany(open, count, parallel) {
  const conns = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      conns.push(await open());
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return conns;
}

// ---- IPC shell -------------------------------------------------------------------------------

/** @type {Conn | undefined} */
let main;
/** @type {Conn[]} */
let idle = [];
/** Per idle connection: hrtime of the first frame after arming, or 0n. */
let arrivals = [];

const opener = (msg) => () =>
  msg.proto === "lt" ? openLt(msg.base, msg.path, msg.rows, msg.cookie) : openLvjs(msg.base, msg.path, msg.rows);

const handlers = {
  async open(msg) {
    main?.close();
    main = msg.proto === "lt" ? await openLt(msg.base, msg.path, msg.rows, msg.cookie, true) : await opener(msg)();
    return { firstBytes: main.firstBytes, firstBytesPublished: main.firstBytesPublished, cookie: main.cookie };
  },
  /** Sends `count` events of `kind` one at a time; returns per-event bytes and round trips. */
  async run(msg) {
    if (main === undefined) throw new Error("no connection");
    const bytes = [];
    const rtt = [];
    let sample = "";
    for (let k = 0; k < msg.count; k++) {
      const r = await main.send(msg.kind, msg.offset + k);
      bytes.push(r.bytes);
      rtt.push(Number(r.rttNs) / 1e6);
      if (k === msg.count - 1) sample = r.data.toString().slice(0, 400);
    }
    return { bytes, rtt, sample };
  },
  async openIdle(msg) {
    const more = await openMany(opener(msg), msg.count, msg.parallel ?? 20);
    idle.push(...more);
    return { open: idle.length };
  },
  closeIdle() {
    for (const c of idle) c.close();
    idle = [];
    return {};
  },
  /** Records the arrival time of the next frame on every idle connection. */
  arm() {
    arrivals = idle.map(() => 0n);
    idle.forEach((c, i) => {
      c.ws.once("message", () => {
        arrivals[i] = now();
      });
    });
    return { armed: idle.length };
  },
  /** Waits until every armed connection got its frame (or `timeoutMs`), returns the last arrival. */
  async collect(msg) {
    const deadline = Date.now() + (msg.timeoutMs ?? 10_000);
    while (arrivals.some((t) => t === 0n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const got = arrivals.filter((t) => t !== 0n);
    const last = got.reduce((a, b) => (b > a ? b : a), 0n);
    return { received: got.length, expected: arrivals.length, last: String(last) };
  },
  close() {
    main?.close();
    main = undefined;
    return {};
  },
};

if (process.send !== undefined) {
  process.on("message", async (msg) => {
    try {
      const fn = handlers[msg.type];
      if (fn === undefined) throw new Error(`unknown command ${msg.type}`);
      process.send({ id: msg.id, ...(await fn(msg)) });
    } catch (e) {
      process.send({ id: msg.id, error: String(e?.stack ?? e) });
    }
  });
  process.on("disconnect", () => process.exit(0));
}
