import { describe, expect, it } from "vitest";
import { ApiError, createApi, NETWORK_ERROR_MESSAGE } from "./api";
import type { Transport } from "./ports";

const answer =
  (status: number, body: unknown): Transport =>
  () =>
    Promise.resolve(
      new Response(typeof body === "string" ? body : JSON.stringify(body), { status }),
    );

const user = { id: "u1", name: "Dr A", email: "a@example.org", role: "uploader", clinicId: "c1" };

describe("api client", () => {
  it("a successful answer is parsed with the contract's schema", async () => {
    const api = createApi(answer(200, { accessToken: "t", expiresAt: 1, user }));
    await expect(api.login({ email: "a@example.org", password: "pw" })).resolves.toEqual({
      accessToken: "t",
      expiresAt: 1,
      user,
    });
  });

  it("a non-2xx answer throws an ApiError carrying the server's code and message", async () => {
    const api = createApi(
      answer(401, {
        error: { code: "bad_credentials", message: "That email and password do not match." },
      }),
    );
    const failure = api.login({ email: "a@example.org", password: "pw" });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      code: "bad_credentials",
      message: "That email and password do not match.",
      status: 401,
    });
  });

  it("a failing answer without the error envelope still gets a plain message", async () => {
    const api = createApi(answer(502, "<html>Bad gateway</html>"));
    await expect(api.getStatus("t", "s")).rejects.toMatchObject({ code: "http_502", status: 502 });
  });

  it("an answer that does not match the contract is rejected", async () => {
    const api = createApi(answer(200, { accessToken: "t" }));
    await expect(api.login({ email: "a@example.org", password: "pw" })).rejects.toMatchObject({
      code: "bad_response",
    });
  });

  it("a network failure becomes an ApiError with status 0 and a plain message", async () => {
    const api = createApi(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(api.getStatus("t", "s")).rejects.toMatchObject({
      code: "network",
      status: 0,
      message: NETWORK_ERROR_MESSAGE,
    });
  });

  it("a chunk is PUT as raw bytes with its checksum header and the upload token", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const api = createApi((url, init) => {
      seen.push({ url, init });
      return Promise.resolve(
        new Response(JSON.stringify({ file: 2, offset: 8, size: 3, stored: true })),
      );
    }, "https://relay.example");
    const bytes = new Uint8Array([1, 2, 3]);
    await api.putChunk({
      uploadToken: "ut",
      sessionId: "abc",
      fileIndex: 2,
      offset: 8,
      bytes,
      sha256: "ff",
    });
    expect(seen[0]?.url).toBe("https://relay.example/api/uploads/abc/chunks/2/8");
    expect(seen[0]?.init.method).toBe("PUT");
    expect(seen[0]?.init.body).toBe(bytes);
    expect(Object.fromEntries(new Headers(seen[0]?.init.headers).entries())).toEqual({
      authorization: "Bearer ut",
      "content-type": "application/octet-stream",
      "x-chunk-sha256": "ff",
    });
  });
});
