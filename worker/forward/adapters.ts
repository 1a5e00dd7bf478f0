// The adapter for a destination's kind. C-STORE opens TCP sockets with `cloudflare:sockets`.
import { connect } from "cloudflare:sockets";
import type { PacsAdapter } from "./adapter";
import type { ResolvedDestination } from "./destination";
import { cstoreAdapter } from "./dimse/cstore-adapter";
import { orthancRestAdapter } from "./orthanc-adapter";
import { stowAdapter } from "./stow-adapter";

export function adapterFor(destination: ResolvedDestination): PacsAdapter {
  switch (destination.config.adapter) {
    case "stow-rs":
      return stowAdapter(destination);
    case "orthanc-rest":
      return orthancRestAdapter(destination);
    case "c-store":
      return cstoreAdapter(destination, connect);
  }
}
