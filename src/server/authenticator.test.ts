import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { AnonymousAuthenticator, BasicAuthenticator, UnauthorizedError } from "./authenticator.js";

function req(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

describe("AnonymousAuthenticator", () => {
  it("mints a 128-bit id and a cookie with the safe attributes", () => {
    const auth = new AnonymousAuthenticator();
    const r = req({});
    const id = auth.getSessionGroup(r);
    expect(Buffer.from(id, "base64url")).toHaveLength(16);
    expect(auth.getSessionGroup(r)).toBe(id);
    const cookie = String(auth.responseHeaders(r, id)["Set-Cookie"]);
    expect(cookie).toMatch(new RegExp(`^livetemplate-id=${id}\\.[A-Za-z0-9_-]{22}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax$`));
  });

  it("adds Secure over https", () => {
    const auth = new AnonymousAuthenticator();
    const r = req({}, true);
    expect(String(auth.responseHeaders(r, auth.getSessionGroup(r))["Set-Cookie"])).toMatch(/; Secure$/);
  });

  it("reuses the id of a cookie it issued and sets no cookie then", () => {
    const auth = new AnonymousAuthenticator();
    const first = req({});
    const id = auth.getSessionGroup(first);
    const value = String(auth.responseHeaders(first, id)["Set-Cookie"]).split(";")[0]!.split("=")[1]!;
    const r = req({ cookie: `other=1; livetemplate-id=${value}` });
    expect(auth.getSessionGroup(r)).toBe(id);
    expect(auth.isNew(r)).toBe(false);
    expect(auth.responseHeaders(r, id)).toEqual({});
  });

  it.each([
    ["a well-formed id it never signed", "AAAAAAAAAAAAAAAAAAAAAA"],
    ["an id with a forged signature", "AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB"],
  ])("refuses %s and issues a fresh one with a cookie", (_, value) => {
    const auth = new AnonymousAuthenticator();
    const r = req({ cookie: `livetemplate-id=${value}` });
    const id = auth.getSessionGroup(r);
    expect(id).not.toBe(value.split(".")[0]);
    expect(auth.isNew(r)).toBe(true);
    expect(String(auth.responseHeaders(r, id)["Set-Cookie"])).toContain(`livetemplate-id=${id}.`);
  });

  it("accepts another instance's cookie when both share the secret, and refuses it otherwise", () => {
    const secret = "s".repeat(32);
    const a = new AnonymousAuthenticator({ secret });
    const r = req({});
    const id = a.getSessionGroup(r);
    const value = String(a.responseHeaders(r, id)["Set-Cookie"]).split(";")[0]!.split("=")[1]!;
    const again = req({ cookie: `livetemplate-id=${value}` });
    expect(new AnonymousAuthenticator({ secret }).getSessionGroup(again)).toBe(id);
    expect(new AnonymousAuthenticator({ secret: "t".repeat(32) }).getSessionGroup(again)).not.toBe(id);
    expect(() => new AnonymousAuthenticator({ secret: "short" })).toThrow(/at least 32/);
  });

  it("ignores a cookie value that is not a plausible id", () => {
    const auth = new AnonymousAuthenticator();
    expect(auth.getSessionGroup(req({ cookie: "livetemplate-id=short" }))).not.toBe("short");
  });
});

describe("BasicAuthenticator", () => {
  const auth = BasicAuthenticator.fromUsers({ alice: "pw1", bob: "pw2" });
  const basic = (s: string): IncomingMessage => req({ authorization: `Basic ${Buffer.from(s).toString("base64")}` });

  it.each([
    ["valid credentials", "alice:pw1", "alice"],
    ["another user", "bob:pw2", "bob"],
  ])("accepts %s", async (_, creds, user) => {
    await expect(auth.identify(basic(creds))).resolves.toBe(user);
  });

  it.each([
    ["a wrong password", "alice:nope"],
    ["an unknown user", "carol:pw1"],
    ["no colon", "alice"],
    ["an empty user", ":pw1"],
  ])("refuses %s", async (_, creds) => {
    await expect(auth.identify(basic(creds))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("refuses a request without credentials and offers a challenge", async () => {
    await expect(auth.identify(req({}))).rejects.toBeInstanceOf(UnauthorizedError);
    expect(auth.challenge()["WWW-Authenticate"]).toMatch(/^Basic realm="livetemplate"/);
    expect(auth.getSessionGroup(req({}), "alice")).toBe("alice");
  });
});
