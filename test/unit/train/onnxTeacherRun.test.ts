// Runs with the teacher on onnxruntime (`teacher.runtime: "onnx"`, `teacher.onnx`) through the built CLI: the
// auto-exported teacher gives the step losses of the TensorFlow.js teacher; a file exported without --with-hidden
// serves soft labels (checked against its checkpoint) but stops a run that needs hidden states with the missing
// output named and how to re-export; mse-scores attention with an ONNX teacher is refused by validation.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePretrainRun } from '../../helpers/pretrainRun';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';
import { tinyRunConfig, writeTinyRun } from '../../helpers/tinyRun';
import { cli, runEvents } from '../../helpers/builtCli';

type Losses = Record<string, number | undefined>;

function stepLosses(runDir: string, stage: string): Losses[] {
  return runEvents(runDir).flatMap((e) =>
    e.type === 'step' && e.payload.stage === stage ? [e.payload.losses] : [],
  );
}

const TERMS = ['total', 'softLabel', 'hardLabel', 'hidden', 'attention'];

test('teacher.runtime "onnx" (auto-exported) gives the step losses of the TensorFlow.js teacher', (t) => {
  const ws = tempWorkspace(t);
  const teacher = tinyRunConfig().teacher as Record<string, unknown>;
  writeTinyRun(ws, {}, 'tfjs.distill.json');
  writeTinyRun(ws, { name: 'onnx', teacher: { ...teacher, runtime: 'onnx' } }, 'onnx.distill.json');
  const tfjs = cli(['train', 'tfjs.distill.json'], ws.dir);
  assert.equal(tfjs.code, 0, tfjs.stderr);
  const onnx = cli(['train', 'onnx.distill.json'], ws.dir);
  assert.equal(onnx.code, 0, onnx.stderr);
  assert.match(tfjs.stderr, /teacher runs on TensorFlow\.js \(cpu\)/);
  assert.match(onnx.stderr, /teacher exported to .*teacher-onnx[/\\]model\.onnx \(.* verified: max \|diff\|/);
  assert.match(onnx.stderr, /teacher runs on onnxruntime-node/);
  assert.ok(existsSync(join(ws.dir, 'runs', 'onnx', 'teacher-onnx', 'model.onnx')));
  assert.ok(existsSync(join(ws.dir, 'runs', 'onnx', 'teacher-onnx', 'config.json')));

  const a = stepLosses(join(ws.dir, 'runs', 'tiny'), 'distill');
  const b = stepLosses(join(ws.dir, 'runs', 'onnx'), 'distill');
  assert.equal(a.length, 8);
  assert.equal(b.length, a.length);
  let worst = 0;
  a.forEach((la, i) => {
    for (const term of TERMS) {
      const x = la[term];
      const y = b[i]?.[term];
      // Unlabelled batches (every second step at data.unlabelledRatio 0.5) have no hard-label term, in both runs.
      if (term === 'hardLabel' && i % 2 === 1) {
        assert.equal(x, undefined, `step ${i + 1}: an unlabelled batch reports no hardLabel`);
        assert.equal(y, undefined, `step ${i + 1}: an unlabelled batch reports no hardLabel`);
        continue;
      }
      assert.ok(Number.isFinite(x) && Number.isFinite(y), `step ${i + 1} ${term}: ${x} vs ${y}`);
      const d = Math.abs((x as number) - (y as number)) / Math.max(1, Math.abs(x as number));
      worst = Math.max(worst, d);
      assert.ok(d < 1e-4, `step ${i + 1} ${term}: tfjs ${x}, onnx ${y}`);
    }
  });
  // The losses move, so agreeing on them is not agreeing on a constant.
  assert.notEqual(a[0]?.['total'], a[a.length - 1]?.['total']);
});

/** The pretrain fixtures with the bert-cls teacher also exported (without hidden outputs) to plain/teacher.onnx. */
function plainExport(ws: TempWorkspace): void {
  writePretrainRun(ws);
  const r = cli(['export', '--model', 'bert-cls', '--out', join('plain', 'teacher.onnx')], ws.dir);
  assert.equal(r.code, 0, r.stderr);
}

function distillOnly(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    pretrainTeacher: undefined,
    stages: [{ name: 'distill', kind: 'distill', steps: 3, learningRate: 0.003 }],
    ...overrides,
  };
}

test('an ONNX teacher exported without --with-hidden: a hidden-state loss stops with the output to add; soft labels alone run', (t) => {
  const ws = tempWorkspace(t);
  plainExport(ws);
  const losses = {
    softLabel: { weight: 1, temperature: 2 },
    hardLabel: { weight: 1 },
    hidden: { weight: 1, projection: true },
    attention: { weight: 1, kind: 'kl', headMapping: 'group' },
  };
  writePretrainRun(
    ws,
    distillOnly({ name: 'hidden', teacher: { onnx: 'plain/teacher.onnx' }, losses }),
    'h.distill.json',
  );
  const r = cli(['train', 'h.distill.json'], ws.dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /distill-studio: teacher\.onnx \(.*teacher\.onnx\) has no output "hidden_states\.\d+"/,
  );
  assert.match(r.stderr, /its outputs are logits\./);
  assert.match(
    r.stderr,
    /distill-studio export --model <teacher checkpoint> --out teacher\.onnx --with-hidden/,
  );
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
  assert.equal(
    runEvents(join(ws.dir, 'runs', 'hidden')).filter((e) => e.type === 'step').length,
    0,
    'no step was taken',
  );

  // The same file with its checkpoint, for soft and hard labels only: the parity check compares the outputs the
  // file has, and the run trains.
  writePretrainRun(
    ws,
    distillOnly({
      name: 'soft',
      teacher: { checkpoint: 'bert-cls', onnx: 'plain/teacher.onnx' },
      losses: {
        softLabel: { weight: 1, temperature: 2 },
        hardLabel: { weight: 1 },
        hidden: { weight: 0 },
        attention: { weight: 0 },
      },
    }),
    's.distill.json',
  );
  const soft = cli(['train', 's.distill.json'], ws.dir);
  assert.equal(soft.code, 0, soft.stderr);
  assert.match(soft.stderr, /teacher\.onnx matches its checkpoint \(max \|diff\| .* on every output\)/);
  assert.equal(stepLosses(join(ws.dir, 'runs', 'soft'), 'distill').length, 3);
});

test('attention "mse-scores" with an ONNX teacher is refused before training (onnx-teacher-unsupported)', (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const losses = {
    softLabel: { weight: 1, temperature: 2 },
    attention: { weight: 1, kind: 'mse-scores' },
  };
  writePretrainRun(
    ws,
    distillOnly({ teacher: { checkpoint: 'bert-cls', runtime: 'onnx' }, losses }),
    'm.distill.json',
  );
  const validate = cli(['validate', 'm.distill.json'], ws.dir);
  assert.equal(validate.code, 1, validate.stderr + validate.stdout);
  const out = validate.stdout + validate.stderr;
  assert.match(
    out,
    /m\.distill\.json:\d+:\d+: error onnx-teacher-unsupported: .*"mse-scores".*Use "kind": "mse" or "kl", or "teacher\.runtime": "tfjs"/,
  );
  const train = cli(['train', 'm.distill.json'], ws.dir);
  assert.equal(train.code, 1);
  assert.match(train.stderr, /onnx-teacher-unsupported/);
  assert.doesNotMatch(train.stderr, /internal error|\n\s+at /);
  assert.ok(!existsSync(join(ws.dir, 'runs', 'pretrain', 'events.jsonl')), 'no run was started');
});
