import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivitySpool } from './activity-spool';

/** Every entry of every sealed segment, oldest segment first. */
function readAll(spool: ActivitySpool): unknown[] {
  return spool.sealedSegments().flatMap((s) => spool.read(s).entries);
}

describe('ActivitySpool', () => {
  let dir: string;
  const opened: ActivitySpool[] = [];
  const spoolOn = (d = dir) => {
    const s = new ActivitySpool(d);
    opened.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-spool-test-'));
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('crash recovery', () => {
    it('seals what a crashed process left open, and every entry reads back in order across segments', () => {
      const crashed = spoolOn();
      for (let n = 1; n <= 3; n++) crashed.append({ n });
      crashed.seal();
      for (let n = 4; n <= 5; n++) crashed.append({ n });
      crashed.seal();
      for (let n = 6; n <= 8; n++) crashed.append({ n });
      // No flush, no seal, no close: the process dies here with entries 6..8 in open.ndjson.
      expect(readdirSync(dir)).toContain('open.ndjson');

      const restarted = spoolOn();

      expect(readdirSync(dir)).not.toContain('open.ndjson');
      expect(restarted.sealedSegments()).toEqual(['0000000000000001.ndjson', '0000000000000002.ndjson', '0000000000000003.ndjson']);
      expect(restarted.read('0000000000000003.ndjson')).toEqual({ entries: [{ n: 6 }, { n: 7 }, { n: 8 }], corrupt: [] });
      expect(readAll(restarted)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ n })));
      expect(restarted.openLines).toBe(0);
    });

    it('keeps numbering after the recovered segment for what the new process appends', () => {
      const crashed = spoolOn();
      crashed.append({ n: 1 });
      const restarted = spoolOn();
      restarted.append({ n: 2 });
      restarted.seal();
      expect(restarted.sealedSegments()).toEqual(['0000000000000001.ndjson', '0000000000000002.ndjson']);
      expect(readAll(restarted)).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('returns a torn last line in corrupt and every whole line in entries', () => {
      const crashed = spoolOn();
      crashed.append({ n: 1, text: 'first' });
      crashed.append({ n: 2, text: 'second' });
      // The crash tore the third write half-way: no closing brace, no newline.
      appendFileSync(join(dir, 'open.ndjson'), '{"n":3,"text":"thi');

      const restarted = spoolOn();
      const [segment] = restarted.sealedSegments();

      expect(restarted.read(segment)).toEqual({
        entries: [
          { n: 1, text: 'first' },
          { n: 2, text: 'second' },
        ],
        corrupt: ['{"n":3,"text":"thi'],
      });
    });

    it('leaves an empty open file from a crash unsealed: no empty segment', () => {
      writeFileSync(join(dir, 'open.ndjson'), '');
      const spool = spoolOn();
      expect(spool.sealedSegments()).toEqual([]);
    });
  });

  describe('seal', () => {
    it('creates no segment when nothing was appended', async () => {
      const spool = spoolOn();
      spool.seal();
      expect(spool.sealedSegments()).toEqual([]);
      spool.append({ n: 1 });
      spool.seal();
      spool.seal();
      await spool.flush();
      spool.seal();
      expect(spool.sealedSegments()).toEqual(['0000000000000001.ndjson']);
    });

    it('zero-pads segment numbers so that segments past 9 are still read oldest first', () => {
      const spool = spoolOn();
      for (let n = 1; n <= 12; n++) {
        spool.append({ n });
        spool.seal();
      }
      const segments = spool.sealedSegments();
      expect(segments).toHaveLength(12);
      expect(segments[9]).toBe('0000000000000010.ndjson');
      expect(segments.every((s) => /^\d{16}\.ndjson$/.test(s))).toBe(true);
      expect(readAll(spool)).toEqual(Array.from({ length: 12 }, (_, i) => ({ n: i + 1 })));
    });

    it('continues numbering after the highest segment already on disk', () => {
      const first = spoolOn();
      for (let n = 1; n <= 11; n++) {
        first.append({ n });
        first.seal();
      }
      first.close();
      // The shipper delivered the oldest ten; the next process must not reuse a lower number.
      for (const s of first.sealedSegments().slice(0, 10)) first.remove(s);

      const second = spoolOn();
      second.append({ n: 12 });
      second.seal();
      expect(second.sealedSegments()).toEqual(['0000000000000011.ndjson', '0000000000000012.ndjson']);
      expect(readAll(second)).toEqual([{ n: 11 }, { n: 12 }]);
    });
  });

  describe('remove and backlog', () => {
    it('remove deletes only the delivered segment; backlog counts the entries still sealed, not the open ones', () => {
      const spool = spoolOn();
      const sizes = [2, 3, 4];
      let n = 0;
      for (const size of sizes) {
        for (let i = 0; i < size; i++) spool.append({ n: ++n });
        spool.seal();
      }
      spool.append({ n: ++n });
      expect(spool.backlog()).toBe(9);
      expect(spool.openLines).toBe(1);

      const [oldest, middle, newest] = spool.sealedSegments();
      spool.remove(middle);

      expect(spool.sealedSegments()).toEqual([oldest, newest]);
      expect(existsSync(join(dir, middle))).toBe(false);
      expect(spool.read(oldest).entries).toEqual([{ n: 1 }, { n: 2 }]);
      expect(spool.read(newest).entries).toEqual([{ n: 6 }, { n: 7 }, { n: 8 }, { n: 9 }]);
      expect(spool.backlog()).toBe(6);
      expect(spool.openLines).toBe(1);

      spool.seal();
      expect(spool.backlog()).toBe(7);
      expect(spool.openLines).toBe(0);
      expect(spool.read(spool.sealedSegments()[2]).entries).toEqual([{ n: 10 }]);
    });
  });

  it('creates its directory', () => {
    const nested = join(dir, 'a', 'b');
    const spool = spoolOn(nested);
    spool.append({ n: 1 });
    spool.seal();
    expect(readdirSync(nested)).toEqual(['0000000000000001.ndjson']);
  });
});
