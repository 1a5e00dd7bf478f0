// The queue's access-token port over whatever holds the sign-in: `freshAccessToken()` when the
// holder has it (it refreshes a token about to run out), else the plain `accessToken`. A failure
// to refresh that is not the server's word (no network) becomes a network ApiError, so the job
// waits for the network instead of stopping.
import { ApiError, NETWORK_ERROR_MESSAGE } from "../uploader/api";

export interface TokenSource {
  readonly accessToken: string | null;
  freshAccessToken?: () => Promise<string | null>;
}

export function accessTokenPort(source: TokenSource): () => Promise<string | null> {
  return async () => {
    if (!source.freshAccessToken) return source.accessToken;
    try {
      return await source.freshAccessToken();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError("network", NETWORK_ERROR_MESSAGE, 0, { cause: error });
    }
  };
}
