// A forward message the queue loses (wrangler dev's local queue is memory only: a restart drops
// it) must not strand a session: the session's own alarm sends the forward again. Real workerd
// Durable Object, queue, consumer and Orthanc; the one fake is a queue producer that drops the
// message, the fault the real queue cannot produce on demand.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_WATCHDOG_RESENDS } from "../../durable/session-machine";
import { forwardWatchdogMs } from "../../worker/config";
import type { UploadSession } from "../../worker/index";
import {
  complete,
  createUser,
  fixture,
  initUpload,
  login,
  sendAll,
  status,
  waitForState,
} from "./helpers";
import { deleteFromOrthanc, storedInstance } from "./orthanc";

const KiB = 1024;

type Stub = DurableObjectStub<UploadSession>;
type Meta = {
  lastActivity: number;
  phase: { kind: string; attempts?: number; dueAt?: number; resent?: number };
};

/** Swaps the object's queue producer for one that drops every message; returns the restorer. */
async function loseQueueMessages(stub: Stub): Promise<() => Promise<void>> {
  let real: Env | undefined;
  await runInDurableObject(stub, (instance) => {
    const holder = instance as unknown as { env: Env };
    real = holder.env;
    const dropping = { send: async () => undefined } as unknown as Queue;
    holder.env = Object.assign(Object.create(real) as Env, { FORWARD_QUEUE: dropping });
  });
  return () =>
    runInDurableObject(stub, (instance) => {
      (instance as unknown as { env: Env }).env = real!;
    });
}

/** Rewrites the stored session as `phase`, its last activity (and due time) `ageMs` ago. */
async function age(stub: Stub, phase: Meta["phase"], ageMs: number) {
  await runInDurableObject(stub, (_instance, state) => {
    const row = state.storage.sql.exec("SELECT value FROM meta WHERE key = 'session'").one();
    const meta = JSON.parse(row.value as string) as Meta;
    const then = Date.now() - ageMs;
    meta.lastActivity = then;
    meta.phase = phase.kind === "queued" ? { ...phase, dueAt: then } : phase;
    state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'session'", JSON.stringify(meta));
  });
}

/** One file uploaded and completed while the object's queue producer drops every message. */
async function queuedWithLostMessage(file: string) {
  const token = await login(await createUser());
  const files = [{ name: file.split("/").pop()!, bytes: fixture(`dicom/${file}`) }];
  const s = await initUpload(token, files);
  const stub: Stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(s.sessionId));
  const restoreQueue = await loseQueueMessages(stub);
  await sendAll(s, files, 256 * KiB);
  expect((await complete(s)).status).toBe(200);
  await waitForState(s, ["queued"], 20_000);
  return { s, stub, files, restoreQueue };
}

describe("forward watchdog", () => {
  it.each([
    // The message was lost while waiting for the consumer.
    { file: "transfer_syntax/explicit_vr_le/CT_small.dcm", lostIn: "queued" },
    // The consumer died mid-forward (relay restarted) and its message went with it.
    { file: "charset/chrX1.dcm", lostIn: "forwarding" },
  ])("a forward lost while $lostIn is sent again by the alarm and delivered", async (c) => {
    const { s, stub, files, restoreQueue } = await queuedWithLostMessage(c.file);
    const uid = await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql.exec("SELECT sop_instance_uid FROM files").one();
      return row.sop_instance_uid as string;
    });
    expect(uid).toMatch(/^[0-9.]+$/);
    await deleteFromOrthanc(uid);
    await restoreQueue();

    // Before the watchdog time the alarm only re-arms: the session stays queued, nothing is sent.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await status(s)).state).toBe("queued");
    expect(await storedInstance(uid)).toBeNull();

    // Past the watchdog time (as if that long had passed since the last sign of life).
    const watchdog = forwardWatchdogMs(env);
    await age(stub, { kind: c.lostIn, attempts: 1 }, watchdog + 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored" });
    expect(await storedInstance(uid)).toEqual(files[0]!.bytes);
  });
});

describe("verify watchdog", () => {
  it("a check cut short (the relay stopped mid-check) is run again by the alarm and delivered", async () => {
    const token = await login(await createUser());
    const file = "transfer_syntax/explicit_vr_le/CT_small.dcm";
    const files = [{ name: "CT_small.dcm", bytes: fixture(`dicom/${file}`) }];
    const s = await initUpload(token, files);
    const stub: Stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(s.sessionId));
    await sendAll(s, files, 256 * KiB);
    // What a restart between "verifying" being saved and the check's end leaves behind: the
    // session says verifying, no verdict is stored, and no check is running.
    await age(stub, { kind: "verifying" }, forwardWatchdogMs(env) + 1000);
    expect((await status(s)).state).toBe("verifying");
    const uid = await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql.exec("SELECT verdict, sop_instance_uid FROM files").one();
      expect(row.verdict).toBeNull();
      return row.sop_instance_uid;
    });
    expect(uid).toBeNull();

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored" });
    const checked = await runInDurableObject(stub, (_instance, state) => {
      const row = state.storage.sql.exec("SELECT sop_instance_uid FROM files").one();
      return row.sop_instance_uid as string;
    });
    expect(await storedInstance(checked)).toEqual(files[0]!.bytes);
  });
});

describe("forward watchdog, bounded", () => {
  it("a forward re-sent the most times with no consumer ever starting fails, explained and audited", async () => {
    const { s, stub, restoreQueue } = await queuedWithLostMessage(
      "transfer_syntax/explicit_vr_le/MR_small.dcm",
    );

    // One re-send short of the bound: the watchdog still sends it again (to a queue that drops it).
    await age(
      stub,
      { kind: "queued", attempts: 0, resent: MAX_WATCHDOG_RESENDS - 1 },
      forwardWatchdogMs(env) + 1000,
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const resent = await status(s);
    expect(resent.state).toBe("queued");
    expect(resent.message).toBe("Sending was interrupted. RelayPACS is sending it again.");

    // The bound: the session fails in words, each pending file says why, the audit log has it.
    await age(
      stub,
      { kind: "queued", attempts: 0, resent: MAX_WATCHDOG_RESENDS },
      forwardWatchdogMs(env) + 1000,
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const failed = await status(s);
    expect(failed.state).toBe("failed");
    expect(failed.message).toMatch(/^RelayPACS could not start sending this study/);
    expect(failed.files[0]?.outcome).toMatchObject({ status: "failed", code: "relay_stalled" });
    const row = await env.DB.prepare(
      "SELECT reasons FROM audit_events WHERE session_id = ? AND event = 'session_failed'",
    )
      .bind(s.sessionId)
      .first<{ reasons: string }>();
    expect(row?.reasons).toContain("relay_stalled");

    // The bytes were kept: once the queue works again, a re-drive delivers it.
    await restoreQueue();
    const redrive = await stub.redrive();
    expect(redrive.ok).toBe(true);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
  });
});
