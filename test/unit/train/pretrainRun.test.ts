// Pre-training (masked-LM) distillation through the built trainer under plain node: a pretrain-distill stage from a
// BertForMaskedLM teacher, then task distillation on the same student encoder; the events, the saved masked-LM and
// task models, that the masked-LM stage never caches teacher outputs, and an exact resume after kill -9 in the middle
// of the masked-LM stage (masking generator included).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writePretrainRun } from '../../helpers/pretrainRun';
import { BIN, cli, runEvents } from '../../helpers/builtCli';

function tensorNames(file: string): string[] {
  const bytes = readFileSync(file);
  const length = Number(bytes.readBigUInt64LE(0));
  return Object.keys(JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as object).filter(
    (k) => k !== '__metadata__',
  );
}

test('pretrain-distill then distill: masked-LM terms and evals, the masked-LM model in pretrained/, the task model in final/', (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const r = cli(['train', 'pretrain.distill.json'], ws.dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /masked-LM eval at step 3: agreement with the teacher/);
  // Masked inputs change every step: the masked-LM stage never caches (the distill stage does, its logits).
  assert.match(
    r.stderr,
    /stage "mlm": teacher outputs are not cached \(its inputs are masked afresh every step\)/,
  );
  assert.doesNotMatch(r.stderr, /stage "mlm": teacher cache served/);
  assert.match(r.stderr, /stage "distill": teacher cache served \d+ of 4 batches/);
  const runDir = join(ws.dir, 'runs', 'pretrain');
  const all = runEvents(runDir);
  const mlmSteps = all.filter((e) => e.type === 'step' && e.payload.stage === 'mlm');
  assert.equal(mlmSteps.length, 6);
  for (const e of mlmSteps) {
    assert.ok(e.type === 'step');
    for (const term of ['maskedLm', 'hidden', 'attention', 'total'] as const)
      assert.ok(Number.isFinite(e.payload.losses[term]), `mlm step lacks ${term}`);
    assert.equal(e.payload.losses.softLabel, undefined, 'no classification terms in a masked-LM stage');
  }
  const mlmEvals = all.filter((e) => e.type === 'masked-lm-eval');
  assert.deepEqual(
    mlmEvals.map((e) => e.payload.globalStep),
    [3, 6],
    'masked-LM evals every 3 steps and at the stage end',
  );
  for (const e of mlmEvals) {
    assert.ok(e.type === 'masked-lm-eval');
    const m = e.payload.metrics;
    assert.ok(m.n > 20, `${m.n} masked eval tokens`);
    for (const v of [m.agreement, m.studentAccuracy, m.teacherAccuracy]) assert.ok(v >= 0 && v <= 1);
  }
  assert.ok(
    !all.some((e) => e.type === 'eval' && e.payload.stage === 'mlm'),
    'no task evaluation (or best model) in the masked-LM stage',
  );
  assert.ok(all.some((e) => e.type === 'eval' && e.payload.stage === 'distill'));
  const pretrained = JSON.parse(readFileSync(join(runDir, 'pretrained', 'config.json'), 'utf8')) as {
    architectures: string[];
  };
  assert.deepEqual(pretrained.architectures, ['MobileBertForMaskedLM']);
  const mlmNames = tensorNames(join(runDir, 'pretrained', 'model.safetensors'));
  assert.ok(mlmNames.includes('cls.predictions.dense.weight'));
  assert.ok(!mlmNames.some((n) => n.startsWith('classifier.')));
  assert.ok(existsSync(join(runDir, 'pretrained', 'vocab.txt')));
  const final = JSON.parse(readFileSync(join(runDir, 'final', 'config.json'), 'utf8')) as {
    architectures: string[];
    distill_studio?: { max_length: number };
  };
  assert.deepEqual(final.architectures, ['MobileBertForSequenceClassification']);
  assert.deepEqual(final.distill_studio, { max_length: 24 }, 'the training length is recorded');
  assert.ok(!tensorNames(join(runDir, 'final', 'model.safetensors')).some((n) => n.startsWith('cls.')));
});

test('resume after kill -9 inside the masked-LM stage reaches exactly the uninterrupted result', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws, { name: 'straight' }, 'straight.distill.json');
  writePretrainRun(ws, { name: 'killed' }, 'killed.distill.json');
  assert.equal(cli(['train', 'straight.distill.json'], ws.dir).code, 0);
  const runDir = join(ws.dir, 'runs', 'killed');
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'train', 'killed.distill.json', '--json'], { cwd: ws.dir });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (/"type":"checkpoint".*"globalStep":4/.test(buffer)) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? done() : fail(new Error(`exited without being killed: ${buffer.slice(-500)}`)),
    );
  });
  assert.equal(existsSync(join(runDir, 'pretrained')), false, 'killed before the masked-LM stage ended');
  const resumed = cli(['resume', runDir], ws.dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resumed from .*step-4 \(stage mlm, step 4\)/);
  const straight = join(ws.dir, 'runs', 'straight');
  for (const file of ['pretrained/model.safetensors', 'final/model.safetensors'])
    assert.ok(
      readFileSync(join(straight, file)).equals(readFileSync(join(runDir, file))),
      `${file} differs from the uninterrupted run`,
    );
  const losses = (dir: string): string =>
    JSON.stringify(
      runEvents(dir).flatMap((e) => (e.type === 'step' ? [[e.payload.globalStep, e.payload.losses]] : [])),
    );
  const after = (dir: string): unknown[] =>
    (JSON.parse(losses(dir)) as [number, unknown][]).filter(([step]) => step > 4);
  assert.deepEqual(after(runDir).slice(-6), after(straight), 'the same losses after the resume point');
});
