/**
 * Compiled by `npm test` (`tsc --noEmit`), never run: the store type `tmpl.handle(...)` infers
 * (or is given as `handle<S>`) reaches `broadcast` callbacks and `liveTest`. Each
 * `@ts-expect-error` line fails the compile if the type were lost (`unknown` makes the first
 * assignments errors; `any` makes the expected errors vanish).
 */
import { Template, namedStores, type ActionContext, type LiveHandler } from "livetemplate";
import { liveTest } from "livetemplate/testing";

class Dash {
  visits = 0;
  title = "";
  visit(_ctx: ActionContext): void {
    this.visits++;
  }
}
class Chat {
  lines: string[] = [];
}

const tmpl = new Template("dash").parse("<p>{{.visits}}</p>");

// Inferred from a class, a factory and an async factory.
const byClass = tmpl.handle(Dash);
const byFactory = tmpl.handle(() => new Dash());
const byAsync = tmpl.handle(async () => new Dash());
for (const h of [byClass, byFactory, byAsync]) {
  void h.broadcast((d) => {
    d.visits++;
    d.title = "x";
    // @ts-expect-error a Dash has no `nope`
    d.nope = 1;
    // @ts-expect-error `visits` is a number
    d.visits = "many";
  });
}

// Given explicitly.
const explicit: LiveHandler<Dash> = tmpl.handle<Dash>(new Dash());
void explicit.broadcastToUsers(["u"], (d, info) => {
  d.visits += info.groupId.length;
});
void explicit.broadcastToGroup("g", (d) => {
  // @ts-expect-error a Dash has no `lines`
  d.lines.push("x");
});

// Named stores: the data is an object of the stores by name.
const named = tmpl.handle(namedStores({ dash: Dash, chat: () => new Chat() }));
void named.broadcast((d) => {
  d.dash.visits++;
  d.chat.lines.push("hi");
  // @ts-expect-error there is no store named `other`
  d.other.visits++;
});

// The test API keeps the handler's type.
export async function typedTest(): Promise<void> {
  const page = await liveTest(byClass);
  await page.handler.broadcast((d) => {
    d.visits++;
  });
  const other = await (await liveTest(tmpl, Dash)).user("bob");
  await other.handler.broadcast((d) => {
    d.title = "typed";
    // @ts-expect-error a Dash has no `nope`
    d.nope = 1;
  });
  // The page's state is the store's type (by name for named stores).
  const visits: number = page.state().visits;
  // @ts-expect-error `title` is a string
  const wrong: number = page.state().title;
  const lines: string[] = (await liveTest(named)).state().chat.lines;
  void [visits, wrong, lines];
}

// The Logger interface takes console and pino as they are.
import { pino } from "pino";
import type { Logger } from "livetemplate";
export const loggers: Logger[] = [console, pino({ level: "debug" }), pino().child({ app: "x" })];
