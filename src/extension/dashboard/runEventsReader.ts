// Reads a run's events.jsonl for the dashboard, incrementally: each call folds the lines appended since the last
// one into the run's history (src/protocol/runHistory.ts). Attention snapshots are the bulk of the file (a few
// hundred KB each), so only their index stays in memory, with the byte range of their line; the maps are read
// back from the file when the webview asks for one snapshot. Pure Node (no vscode).
import { open, stat } from 'node:fs/promises';
import type { AttentionMapData } from '../../protocol/dashboard';
import { parseRunEvent, type AttentionMapRecord, type RunEvent } from '../../protocol/events';
import { RunHistory, type AttentionIndexEntry, type HistoryEvent } from '../../protocol/runHistory';

/** Read at most this much per chunk, yielding between chunks so a long file does not hold up the host. */
const CHUNK_BYTES = 4 * 2 ** 20;

export type ReadResult =
  /** Lines appended since the last read, folded into `history`, in order. */
  | { kind: 'appended'; events: HistoryEvent[] }
  /** The file shrank or was replaced: `history` was rebuilt from the start (send a fresh snapshot). */
  | { kind: 'reset' };

interface LineRange {
  offset: number;
  length: number;
}

export class RunEventsReader {
  history = new RunHistory();
  private offset = 0;
  private remainder: Buffer = Buffer.alloc(0);
  private readonly attentionLines = new Map<number, LineRange>();
  private nextAttentionId = 1;
  /** Lines that were not valid events (a torn line after a crash, a newer event type): skipped. */
  skippedLines = 0;

  constructor(readonly file: string) {}

  /** Folds what was appended since the last call. */
  async read(): Promise<ReadResult> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    let reset = false;
    if (size < this.offset) {
      this.history = new RunHistory();
      this.offset = 0;
      this.remainder = Buffer.alloc(0);
      this.attentionLines.clear();
      reset = true;
    }
    const events: HistoryEvent[] = [];
    if (size > this.offset) {
      const handle = await open(this.file, 'r');
      try {
        while (this.offset < size) {
          const length = Math.min(CHUNK_BYTES, size - this.offset);
          const chunk = Buffer.alloc(length);
          const { bytesRead } = await handle.read(chunk, 0, length, this.offset);
          if (bytesRead === 0) break;
          this.consume(chunk.subarray(0, bytesRead), this.offset, events);
          this.offset += bytesRead;
          if (this.offset < size) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        await handle.close();
      }
    }
    return reset ? { kind: 'reset' } : { kind: 'appended', events };
  }

  /** Splits complete lines out of `chunk` (which starts at file offset `at`), keeping a partial last line. */
  private consume(chunk: Buffer, at: number, events: HistoryEvent[]): void {
    const data = this.remainder.length > 0 ? Buffer.concat([this.remainder, chunk]) : chunk;
    const dataStart = at - this.remainder.length;
    let start = 0;
    for (;;) {
      const newline = data.indexOf(0x0a, start);
      if (newline < 0) break;
      this.line(data.subarray(start, newline), dataStart + start, events);
      start = newline + 1;
    }
    // Copied, so the chunk's memory is not kept alive by a small remainder.
    this.remainder = Buffer.from(data.subarray(start));
  }

  private line(bytes: Buffer, offset: number, events: HistoryEvent[]): void {
    if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0x0d)) return;
    let event: RunEvent | undefined;
    try {
      event = parseRunEvent(JSON.parse(bytes.toString('utf8')));
    } catch {
      event = undefined;
    }
    if (event === undefined) {
      this.skippedLines++;
      return;
    }
    let folded: HistoryEvent;
    if (event.type === 'attention-snapshot') {
      const id = this.nextAttentionId++;
      this.attentionLines.set(id, { offset, length: bytes.length });
      folded = { type: 'attention-index', time: event.time, payload: indexEntry(id, event) };
    } else folded = event;
    this.history.apply(folded);
    events.push(folded);
  }

  /** The maps of attention snapshot `id` as typed arrays, or why they cannot be read. */
  async readAttention(id: number): Promise<AttentionMapData[] | string> {
    const range = this.attentionLines.get(id);
    if (range === undefined) return `no attention snapshot ${id} in ${this.file}`;
    const handle = await open(this.file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(range.length);
      await handle.read(buffer, 0, range.length, range.offset);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    let event: RunEvent | undefined;
    try {
      event = parseRunEvent(JSON.parse(text));
    } catch {
      event = undefined;
    }
    if (event?.type !== 'attention-snapshot')
      return `${this.file} changed: the snapshot line is no longer there`;
    const maps: AttentionMapData[] = [];
    for (const record of event.payload.maps) {
      const map = toMapData(record);
      if (typeof map === 'string') return `${this.file}: ${map}`;
      maps.push(map);
    }
    return maps;
  }
}

/** The index entry of a snapshot: tokens per probe and each pair's sizes, without the maps. */
export function indexEntry(
  id: number,
  event: Extract<RunEvent, { type: 'attention-snapshot' }>,
): AttentionIndexEntry {
  const probes = new Map<number, string[]>();
  const pairs: AttentionIndexEntry['pairs'] = [];
  let headMapping: AttentionMapRecord['headMapping'];
  for (const m of event.payload.maps) {
    // parseRunEvent checks the envelope only: a malformed record is left out of the index.
    const numbers = [m.probe, m.teacherLayer, m.studentLayer].every((x) => typeof x === 'number');
    if (!numbers || !Array.isArray(m.tokens) || !m.tokens.every((t) => typeof t === 'string')) continue;
    if (!probes.has(m.probe)) probes.set(m.probe, m.tokens);
    headMapping ??= m.headMapping;
    pairs.push({
      probe: m.probe,
      teacherLayer: m.teacherLayer,
      studentLayer: m.studentLayer,
      teacherHeads: Array.isArray(m.teacher) ? m.teacher.length : 0,
      studentHeads: Array.isArray(m.student) ? m.student.length : 0,
      tokens: m.tokens.length,
    });
  }
  return {
    id,
    globalStep: event.payload.globalStep,
    stage: event.payload.stage,
    time: event.time,
    probes: [...probes].map(([probe, tokens]) => ({ probe, tokens })),
    pairs,
    ...(headMapping !== undefined ? { headMapping } : {}),
    ...(event.payload.loss !== undefined ? { loss: event.payload.loss } : {}),
  };
}

/** [heads][T][T] nested arrays -> one Float32Array per side, checked to be square maps over the tokens. */
export function toMapData(record: AttentionMapRecord): AttentionMapData | string {
  const size = record.tokens.length;
  const flatten = (maps: unknown, side: string): Float32Array | string => {
    if (!Array.isArray(maps)) return `${side} maps are not an array`;
    const out = new Float32Array(maps.length * size * size);
    let k = 0;
    for (const head of maps as unknown[]) {
      if (!Array.isArray(head) || head.length !== size)
        return `${side} map is not ${size} x ${size} (tokens)`;
      for (const row of head as unknown[]) {
        if (!Array.isArray(row) || row.length !== size)
          return `${side} map is not ${size} x ${size} (tokens)`;
        for (const value of row as unknown[]) out[k++] = typeof value === 'number' ? value : NaN;
      }
    }
    return out;
  };
  const teacher = flatten(record.teacher, 'teacher');
  if (typeof teacher === 'string') return teacher;
  const student = flatten(record.student, 'student');
  if (typeof student === 'string') return student;
  return {
    probe: record.probe,
    teacherLayer: record.teacherLayer,
    studentLayer: record.studentLayer,
    tokens: record.tokens,
    teacherHeads: record.teacher.length,
    studentHeads: record.student.length,
    teacher,
    student,
  };
}
