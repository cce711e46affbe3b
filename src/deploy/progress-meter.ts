/**
 * Rate and ETA of a transfer over a sliding window, so a pause or a resume shows in the rate within seconds
 * instead of being averaged away over the whole download.
 */
export interface ProgressMeter {
  /** Records the total bytes done at time `nowMs`. */
  update(bytesDone: number, nowMs: number): void;
  /** Bytes per second over the window. */
  rate(): number;
  /** Seconds left at the current rate, or null when the total or the rate is unknown. */
  etaSeconds(bytesTotal: number | null): number | null;
}

export function createProgressMeter(windowMs = 5000): ProgressMeter {
  const samples: { at: number; bytes: number }[] = [];
  return {
    update(bytesDone: number, nowMs: number): void {
      samples.push({ at: nowMs, bytes: bytesDone });
      while (samples.length > 2 && nowMs - samples[1]!.at >= windowMs) samples.shift();
    },
    rate(): number {
      const first = samples[0];
      const last = samples.at(-1);
      if (!first || !last || last.at <= first.at) return 0;
      return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
    },
    etaSeconds(bytesTotal: number | null): number | null {
      const last = samples.at(-1);
      const rate = this.rate();
      if (bytesTotal === null || !last || rate <= 0) return null;
      return Math.max(0, Math.round((bytesTotal - last.bytes) / rate));
    },
  };
}
