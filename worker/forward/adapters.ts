// The adapter for a destination's kind.
import { AppError } from "../errors";
import type { PacsAdapter } from "./adapter";
import type { ResolvedDestination } from "./destination";
import { orthancRestAdapter } from "./orthanc-adapter";
import { stowAdapter } from "./stow-adapter";

export function adapterFor(destination: ResolvedDestination): PacsAdapter {
  switch (destination.config.adapter) {
    case "stow-rs":
      return stowAdapter(destination);
    case "orthanc-rest":
      return orthancRestAdapter(destination);
    case "c-store":
      throw new AppError(
        "destination_misconfigured",
        "Sending by DICOM C-STORE is not available in this version. Ask your administrator to use DICOMweb.",
      );
  }
}
