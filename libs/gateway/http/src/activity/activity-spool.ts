import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const OPEN = 'open.ndjson';
const SEALED = /^(\d{16})\.ndjson$/;

/**
 * A durable queue of activity entries on local disk: the gateway appends one JSON line per
 * request to `open.ndjson` (a synchronous write, so a process crash loses nothing already
 * answered; `flush()` — run on a short timer — fsyncs, bounding what a power loss could take).
 * `seal()` closes the open file into a numbered segment; the shipper delivers sealed segments
 * oldest first and deletes each only after the audit service acknowledged it.
 * A segment left open by a crashed process is sealed at start. One gateway process per directory.
 */
export class ActivitySpool {
  private fd: number | undefined;
  private dirty = false;
  private pendingLines = 0;
  private nextSegment: number;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.nextSegment = this.sealedSegments().reduce((max, name) => Math.max(max, Number(SEALED.exec(name)?.[1] ?? 0)), 0) + 1;
    if (this.fileHasData(join(dir, OPEN))) this.sealFile();
  }

  /** Appends one entry; throws only when the disk refuses the write. */
  append(entry: unknown): void {
    if (this.fd === undefined) this.fd = openSync(join(this.dir, OPEN), 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.dirty = true;
    this.pendingLines++;
  }

  /**
   * fsyncs what was appended since the last flush, off the event loop (a synchronous fsync
   * would stall every request in flight). Callers do not seal or close while it runs.
   */
  async flush(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined || !this.dirty) return;
    this.dirty = false;
    await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }

  /** Entries appended but not yet sealed (for logs and readiness). */
  get openLines(): number {
    return this.pendingLines;
  }

  /** Moves the open file, if it holds anything, to the next numbered segment. */
  seal(): void {
    if (this.pendingLines === 0 && !this.fileHasData(join(this.dir, OPEN))) return;
    this.sealFile();
  }

  /** Sealed segment names, oldest first. */
  sealedSegments(): string[] {
    return readdirSync(this.dir)
      .filter((n) => SEALED.test(n))
      .sort();
  }

  /**
   * The entries of a sealed segment. A line that does not parse (a torn write at a crash) is
   * returned in `corrupt` so the caller can report it; it is never silently skipped.
   */
  read(segment: string): { entries: unknown[]; corrupt: string[] } {
    const entries: unknown[] = [];
    const corrupt: string[] = [];
    for (const line of readFileSync(join(this.dir, segment), 'utf8').split('\n')) {
      if (line.length === 0) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        corrupt.push(line.slice(0, 200));
      }
    }
    return { entries, corrupt };
  }

  /** Deletes a delivered segment. */
  remove(segment: string): void {
    unlinkSync(join(this.dir, segment));
  }

  /** Entries waiting in sealed segments (readable ones; torn lines are not counted). */
  backlog(): number {
    return this.sealedSegments().reduce((n, s) => n + this.read(s).entries.length, 0);
  }

  close(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private sealFile(): void {
    // No fsync here (it would stall the event loop): the shipper flushes right before sealing,
    // and a power loss can take at most the lines appended since that flush.
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    renameSync(join(this.dir, OPEN), join(this.dir, `${String(this.nextSegment++).padStart(16, '0')}.ndjson`));
    this.dirty = false;
    this.pendingLines = 0;
  }

  private fileHasData(path: string): boolean {
    try {
      return statSync(path).size > 0;
    } catch {
      return false;
    }
  }
}
