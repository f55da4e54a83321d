// The terminal progress line of `train`/`resume`: one line per step with the stage's loss terms in fixed columns;
// a term a batch lacks (no hardLabel on an unlabelled batch) shows as "–" instead of vanishing or reading 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter } from '../../../src/trainer/commands/trainCommand';

test('the progress line keeps every loss term of the stage in place and marks a missing one', () => {
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const print = progressPrinter();
    const time = Date.now();
    print({
      type: 'stage-change',
      time,
      payload: { stage: 'distill', index: 1, kind: 'distill', steps: 2, trainLayers: 'all' },
    });
    const step = (n: number, losses: Record<string, number>): void =>
      print({
        type: 'step',
        time,
        payload: {
          stage: 'distill',
          step: n,
          globalStep: n,
          epoch: 0,
          losses,
          learningRate: 1e-3,
          samplesPerSecond: 100,
        },
      });
    step(1, { softLabel: 0.5, hardLabel: 0.69, total: 1.19 });
    step(2, { softLabel: 0.25, total: 0.25 });
  } finally {
    process.stderr.write = original;
  }
  const lines = written
    .join('')
    .split(/[\r\n]/)
    .filter((l) => l.includes('eta'));
  assert.equal(lines.length, 2, written.join(''));
  assert.match(lines[0] ?? '', /softLabel 0\.5000 {2}hardLabel 0\.6900 {2}total 1\.1900/);
  assert.match(lines[1] ?? '', /softLabel 0\.2500 {2}hardLabel – {2}total 0\.2500/);
});
