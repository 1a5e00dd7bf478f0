import { describe, expect, it } from "vitest";
import { JobReport } from "../uploader/contract";
import { SESSION_ID } from "../uploader/fake-server";
import { cancelJob } from "./actions";
import { reportOf } from "./reports";
import { IMPRESSION, PATIENT, fileOf, kit } from "./test-kit";

describe("job reports to the server", () => {
  it("a delivered job is reported once, with its times, retries and bytes re-sent, and no patient data", async () => {
    const k = kit();
    let puts = 0;
    k.server.failOnce((r) => r.method === "PUT" && ++puts === 2, 503);
    const job = await k.enqueue([fileOf("DOE_JANE_01.dcm", 100)]);
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.reports).toHaveLength(1);
    const [report] = k.server.reports;
    expect(JobReport.parse(report)).toEqual({
      ref: SESSION_ID,
      sessionId: SESSION_ID,
      outcome: "delivered",
      queuedAt: job.stats.queuedAt,
      settledAt: expect.any(Number),
      queuedOffline: false,
      retries: 1,
      bytesResent: expect.any(Number),
      files: 1,
      bytes: 100,
    });
    expect(report!.bytesResent).toBeGreaterThan(0);
    const sent = JSON.stringify(k.server.requests.filter((r) => r.path === "/api/reports"));
    for (const phi of [PATIENT, IMPRESSION, "DOE_JANE"]) expect(sent).not.toContain(phi);
    expect(await k.store.unreported()).toEqual([]);
    // Another run sends nothing again.
    await k.manager.kick();
    expect(k.server.requests.filter((r) => r.path === "/api/reports")).toHaveLength(1);
  });

  it("a job queued offline says so, and its report waits in the store until the network is back", async () => {
    const k = kit();
    await k.enqueue([fileOf("a.dcm", 30)], { queuedOffline: true });
    k.server.offline = true;
    expect(await k.manager.kick()).toBe("waiting");
    k.server.offline = false;
    // The PACS answers; then the network goes just as the report would leave.
    k.onChange.hook = async () => {
      if ((await k.store.list()).length === 0 && k.server.reports.length === 0) {
        k.server.offline = true;
      }
    };
    expect(await k.manager.kick()).toBe("waiting");
    expect(k.server.reports).toEqual([]);
    const [pending] = await k.store.unreported();
    expect(pending?.receipt).toMatchObject({ outcome: "delivered", queuedOffline: true });

    k.onChange.hook = () => undefined;
    k.server.offline = false;
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.reports).toEqual([
      expect.objectContaining({ outcome: "delivered", queuedOffline: true }),
    ]);
    expect(await k.store.unreported()).toEqual([]);
  });

  it("a job that found no network before it could start counts as queued offline", async () => {
    const k = kit();
    await k.enqueue([fileOf("a.dcm", 30)]);
    k.server.offline = true;
    await k.manager.kick();
    k.server.offline = false;
    await k.manager.kick();
    expect(k.server.reports).toEqual([expect.objectContaining({ queuedOffline: true })]);
  });

  it("a cancelled job is reported as cancelled, with its local reference", async () => {
    const k = kit();
    const job = await k.enqueue([fileOf("a.dcm", 30)]);
    await cancelJob(k.store, job.id, 5_000);
    await k.manager.kick();
    expect(k.server.reports).toEqual([
      expect.objectContaining({ ref: job.id, sessionId: null, outcome: "cancelled" }),
    ]);
  });

  it("waits for a sign-in to report, and drops a report the server refuses for good", async () => {
    const k = kit();
    const job = await k.enqueue([fileOf("a.dcm", 30)]);
    await cancelJob(k.store, job.id, 5_000);
    k.token.value = null;
    expect(await k.manager.kick()).toBe("waiting");
    expect(await k.store.unreported()).toHaveLength(1);
    k.token.value = "access-token";
    k.server.failOnce((r) => r.path === "/api/reports", 400, {
      error: { code: "bad_request", message: "The request was not understood." },
    });
    expect(await k.manager.kick()).toBe("idle");
    expect(await k.store.unreported()).toEqual([]);
    expect(k.server.reports).toEqual([]);
  });

  it("a device clock that went backwards still makes a valid report", () => {
    const report = reportOf({
      ref: "0123456789abcdef",
      outcome: "failed",
      files: 1,
      bytes: 1,
      stored: 0,
      confirmed: 0,
      failed: 1,
      queuedAt: 10_000.4,
      sentAt: null,
      finishedAt: 9_000,
      retries: 0,
      bytesResent: 0,
      sessionId: null,
      queuedOffline: false,
      reported: false,
    });
    expect(JobReport.safeParse(report).success).toBe(true);
    expect(report.settledAt).toBe(report.queuedAt);
  });
});
