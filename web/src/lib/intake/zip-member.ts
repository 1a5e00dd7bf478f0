// Collects one ZIP member's inflated bytes into a buffer of its declared size and checks them
// against the central directory's size and CRC-32 (fflate's Unzip checks neither).
import type { FlateError } from "fflate";
import type { ArchiveItem } from "./archive-types";
import { Crc32 } from "./crc32";
import type { IntakeProblem } from "./problems";
import type { ZipRecord } from "./zip-directory";

export class MemberSink {
  private readonly bytes: Uint8Array;
  private written = 0;
  private readonly crc = new Crc32();
  done = false;

  constructor(
    private readonly record: ZipRecord,
    private readonly path: string,
  ) {
    this.bytes = new Uint8Array(record.size);
  }

  /**
   * Takes what fflate hands over: the item to pass on once the member ends, "lied" when it
   * inflates past its declared size (the archive's sizes cannot be trusted), else null.
   */
  take(
    error: FlateError | null,
    data: Uint8Array | null,
    final: boolean,
  ): ArchiveItem | "lied" | null {
    if (this.done) return null;
    if (error || !data) return this.finish({ code: "member-damaged" });
    if (this.written + data.length > this.bytes.length) {
      this.done = true;
      return "lied";
    }
    this.bytes.set(data, this.written);
    this.written += data.length;
    this.crc.update(data);
    if (!final) return null;
    const intact = this.written === this.record.size && this.crc.digest() === this.record.crc;
    if (!intact) return this.finish({ code: "member-damaged" });
    this.done = true;
    return { type: "member", path: this.path, bytes: this.bytes };
  }

  private finish(problem: IntakeProblem): ArchiveItem {
    this.done = true;
    return { type: "problem", path: this.path, problem };
  }
}
