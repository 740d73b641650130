/**
 * One `upgrade` listener per server for every live handler attached to it. Each handler used to
 * add its own listener filtered by its path, so an upgrade to a path none of them served was
 * answered by nobody and its socket stayed open for as long as the client liked. The decision
 * "nobody takes this one" can only be made once per server, with every attached handler known.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

/** What `attach` registers: the handler's path (`undefined` = every path) and its upgrade entry. */
export interface UpgradeRoute {
  readonly path: string | undefined;
  readonly handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

interface ServerRoutes {
  readonly routes: UpgradeRoute[];
  readonly listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

const byServer = new WeakMap<Server, ServerRoutes>();

/**
 * Adds `route` to `server`'s upgrade routing and returns the function that removes it (the
 * server's listener goes when its last route does).
 *
 * An upgrade goes to the first route whose path equals its pathname, else to the first route
 * without a path, else it is answered `404` and closed — unless the application has added
 * `upgrade` listeners of its own, which are then trusted to answer it.
 */
export function addUpgradeRoute(server: Server, route: UpgradeRoute): () => void {
  let entry = byServer.get(server);
  if (entry === undefined) {
    const routes: UpgradeRoute[] = [];
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      const match = routes.find((r) => r.path === pathname) ?? routes.find((r) => r.path === undefined);
      if (match !== undefined) {
        match.handle(req, socket, head);
        return;
      }
      if (server.listenerCount("upgrade") > 1) return;
      socket.on("error", () => {});
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    };
    entry = { routes, listener };
    byServer.set(server, entry);
    server.on("upgrade", listener);
  }
  const { routes, listener } = entry;
  routes.push(route);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    routes.splice(routes.indexOf(route), 1);
    if (routes.length === 0) {
      server.off("upgrade", listener);
      byServer.delete(server);
    }
  };
}
