// A job's server session: open one (or a new one with the same manifest when the old one
// expired), keep its upload token fresh (POST /api/uploads/{id}/token with an access token), and
// make calls with that token, refreshing once when the server says it ran out.
import type { InitUploadRequest, ManifestFile, SessionStatus } from "../uploader/contract";
import { JobGone, NeedsSignIn, classify } from "./failures";
import type { Job, JobSession } from "./job";
import type { RunnerDeps } from "./runner-deps";

export class SessionSteps {
  readonly #deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  /** The job with a server session, opening one when it has none. */
  async ensureSession(job: Job): Promise<Job> {
    if (job.session) return job;
    const { api, clock } = this.#deps;
    const accessToken = await this.#accessToken();
    const files = job.files.map((f): ManifestFile => {
      if (f.sha256 === null) throw new Error("a file has no checksum yet");
      return { name: f.name, size: f.size, sha256: f.sha256 };
    });
    const body: InitUploadRequest = {
      files,
      ...(job.clinicalImpression ? { clinicalImpression: job.clinicalImpression } : {}),
    };
    const init = await api.initUpload(accessToken, body).catch((error: unknown) => {
      // The access token opens the session: a 401 here means the sign-in has ended.
      throw classify(error) === "token" ? new NeedsSignIn() : error;
    });
    const now = clock.now();
    const session: JobSession = {
      sessionId: init.sessionId,
      uploadToken: init.uploadToken,
      tokenExpiresAt: init.tokenExpiresAt,
      bounds: init.chunkSize,
      createdAt: now,
    };
    return this.#save(job.id, (j) => ({
      ...j,
      session,
      files: j.files.map((f) => ({ ...f, received: [] })),
      stats: { ...j.stats, sessions: j.stats.sessions + 1, startedAt: j.stats.startedAt ?? now },
    }));
  }

  /** Forgets an expired or unknown session; the next round opens a new one. */
  dropSession(job: Job): Promise<Job> {
    return this.#save(job.id, (j) => ({
      ...j,
      session: null,
      server: null,
      files: j.files.map((f) => ({ ...f, received: [] })),
    }));
  }

  /** Calls the server with the job's upload token, refreshing it first or after a 401. */
  async withToken<T>(job: Job, call: (session: JobSession) => Promise<T>): Promise<T> {
    let session = await this.#fresh(job, false);
    try {
      return await call(session);
    } catch (error) {
      if (classify(error) !== "token") throw error;
      session = await this.#fresh(job, true);
      return call(session);
    }
  }

  status(job: Job, signal?: AbortSignal): Promise<SessionStatus> {
    return this.withToken(job, (s) => this.#deps.api.getStatus(s.uploadToken, s.sessionId, signal));
  }

  complete(job: Job, signal?: AbortSignal): Promise<SessionStatus> {
    return this.withToken(job, (s) => this.#deps.api.complete(s.uploadToken, s.sessionId, signal));
  }

  /** The session with a token that has time left (or a new one when `force`). */
  async #fresh(job: Job, force: boolean): Promise<JobSession> {
    const { api, clock, tuning } = this.#deps;
    const current = (await this.#deps.store.get(job.id))?.session ?? job.session;
    if (!current) throw new JobGone();
    const left = current.tokenExpiresAt - clock.now();
    if (!force && left > tuning.tokenMarginMs) return current;
    const accessToken = await this.#deps.getAccessToken();
    if (accessToken === null) {
      // Nobody to refresh it for: use what is left of the old one, then wait for a sign-in.
      if (!force && left > 0) return current;
      throw new NeedsSignIn();
    }
    const fresh = await api
      .refreshUploadToken(accessToken, current.sessionId)
      .catch((error: unknown) => {
        throw classify(error) === "token" ? new NeedsSignIn() : error;
      });
    const session = { ...current, ...fresh };
    await this.#save(job.id, (j) => ({
      ...j,
      session: j.session ? { ...j.session, ...fresh } : null,
    }));
    return session;
  }

  async #accessToken(): Promise<string> {
    const token = await this.#deps.getAccessToken();
    if (token === null) throw new NeedsSignIn();
    return token;
  }

  async #save(id: string, change: (job: Job) => Job): Promise<Job> {
    const saved = await this.#deps.store.update(id, change);
    if (!saved) throw new JobGone();
    this.#deps.events.changed(id);
    return saved;
  }
}
