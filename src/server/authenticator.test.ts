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
    const cookie = auth.responseHeaders(r, id)["Set-Cookie"];
    expect(cookie).toBe(`livetemplate-id=${id}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`);
  });

  it("adds Secure over https", () => {
    const auth = new AnonymousAuthenticator();
    const r = req({}, true);
    expect(String(auth.responseHeaders(r, auth.getSessionGroup(r))["Set-Cookie"])).toMatch(/; Secure$/);
  });

  it("reuses the cookie's id and sets no cookie then", () => {
    const auth = new AnonymousAuthenticator();
    const id = "AAAAAAAAAAAAAAAAAAAAAA";
    const r = req({ cookie: `other=1; livetemplate-id=${id}` });
    expect(auth.getSessionGroup(r)).toBe(id);
    expect(auth.responseHeaders(r, id)).toEqual({});
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
