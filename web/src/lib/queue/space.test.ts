import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "./memory-store";
import { enqueueStudy } from "./enqueue";
import { QueueRefused, spaceShortfall, type StoragePort } from "./space";
import { FakeClock } from "../uploader/fake-server";

const GB = 1000 * 1000 * 1000;

describe("space for queued studies", () => {
  it("a study that fits is accepted", () => {
    expect(spaceShortfall({ usage: 1 * GB, quota: 10 * GB, persisted: true }, 2 * GB)).toBeNull();
  });

  it("a study that does not fit is refused in words, with what to do", () => {
    const message = spaceShortfall({ usage: 9.7 * GB, quota: 10 * GB, persisted: false }, 1.2 * GB);
    expect(message).toContain("This study needs 1.3 GB");
    expect(message).toContain("only 300 MB is free");
    expect(message).toContain("send fewer files");
  });

  it("when the browser will not say, the study is accepted", () => {
    expect(spaceShortfall(null, 5 * GB)).toBeNull();
  });

  it("is checked before the job is stored, and storage is asked to persist", async () => {
    let persisted = 0;
    const storage: StoragePort = {
      estimate: async () => ({ usage: 990, quota: 1000 }),
      persist: async () => (persisted++, true),
      persisted: async () => false,
    };
    const store = new MemoryJobStore();
    const request = { files: [new File([new Uint8Array(10)], "a.dcm")], ownerId: null };
    const clock = new FakeClock();
    await expect(enqueueStudy(request, { store, storage, clock })).rejects.toBeInstanceOf(
      QueueRefused,
    );
    expect(await store.list()).toEqual([]);
    storage.estimate = async () => ({ usage: 0, quota: 100 * GB });
    await enqueueStudy(request, { store, storage, clock });
    expect(await store.list()).toHaveLength(1);
    expect(persisted).toBe(1);
  });
});
