// The app's one API client: same-origin requests through the browser's fetch.
import { createApi } from "./uploader/api";

export const api = createApi((url, init) => fetch(url, init));
