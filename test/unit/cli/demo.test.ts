// The demo end to end in its quick form (--steps): every phase runs and the report holds every model.
// (The full demo's accuracy comparison is measured in docs/benchmarks.md, not asserted in a unit test.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';

test('demo --steps 2 trains, distils, trains the baseline, evaluates, exports verified ONNX and reports', (t) => {
  const ws = tempWorkspace(t);
  const out = join(ws.dir, 'demo');
  const r = spawnSync(
    process.execPath,
    [resolve('bin/distill-studio.js'), 'demo', '--out', out, '--steps', '2'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /teacher \(BERT\)\s+\d+\.\d+%/);
  assert.match(r.stdout, /ONNX export agrees with TensorFlow\.js: yes/);
  const report = JSON.parse(readFileSync(join(out, 'demo-report.json'), 'utf8')) as {
    onnxMatchesTfjs: boolean;
    rows: { model: string; accuracy: number; parameters?: number; onnxBytes?: number }[];
  };
  assert.equal(report.onnxMatchesTfjs, true);
  assert.deepEqual(
    report.rows.map((row) => row.model),
    ['teacher (BERT)', 'student, distilled', 'student, no teacher', 'student, ONNX int8'],
  );
  const [teacher, student] = report.rows;
  assert.ok(
    (student?.parameters ?? Infinity) < (teacher?.parameters ?? 0) / 4,
    'the student is much smaller than the teacher',
  );
  for (const dir of ['teacher', 'final'])
    assert.ok(existsSync(join(out, 'runs', 'reviews-demo', dir, 'model.safetensors')));
  assert.ok(existsSync(join(out, 'runs', 'reviews-demo', 'onnx', 'student-int8', 'model.onnx')));
  assert.ok(existsSync(join(out, 'runs', 'reviews-demo-baseline', 'final', 'model.safetensors')));
});
