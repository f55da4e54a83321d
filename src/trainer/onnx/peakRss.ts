// Peak resident memory while one model is measured. On Linux the kernel's high-water mark (VmHWM in
// /proc/self/status) is reset for the window by writing 5 to /proc/self/clear_refs, so the peak includes what
// onnxruntime allocates inside a run, between samples; elsewhere (or where the reset is refused) the RSS is sampled
// after every run, which can miss a short peak inside one.
import { readFileSync, writeFileSync } from 'node:fs';

export type PeakRssMethod = 'kernel-high-water-mark' | 'sampled';

function highWaterMark(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match?.[1] !== undefined ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class PeakRss {
  private sampled = process.memoryUsage.rss();
  readonly method: PeakRssMethod;

  /** Starts a window: the process's peak so far no longer counts. */
  constructor() {
    let reset = false;
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      reset = highWaterMark() !== undefined;
    } catch {
      reset = false;
    }
    this.method = reset ? 'kernel-high-water-mark' : 'sampled';
  }

  sample(): void {
    this.sampled = Math.max(this.sampled, process.memoryUsage.rss());
  }

  /** The largest resident set size of the process since the window started. */
  get bytes(): number {
    this.sample();
    const kernel = this.method === 'kernel-high-water-mark' ? highWaterMark() : undefined;
    return Math.max(this.sampled, kernel ?? 0);
  }
}
