// Whole runs through the built trainer under plain node: a two-stage run with every event type, a final model
// that predict can open, exact resume after kill -9, SIGTERM checkpoints, corrupt checkpoints skipped, bad data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRunEvent, type RunEvent } from '../../../src/protocol/events';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';
import { BIN, cli, runEvents } from '../../helpers/builtCli';

test('a two-stage run writes schema-valid events, checkpoints, best/ and a final model predict can open', (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws);
  const { code, stdout, stderr } = cli(['train', 'tiny.distill.json', '--json'], ws.dir);
  assert.equal(code, 0, stderr);
  const runDir = join(ws.dir, 'runs', 'tiny');
  const streamed = stdout
    .trim()
    .split('\n')
    .map((l) => parseRunEvent(JSON.parse(l)));
  assert.ok(
    streamed.every((e) => e !== undefined),
    'every --json line is an event',
  );
  const all = runEvents(runDir);
  assert.deepEqual(
    streamed.map((e) => e?.type),
    all.map((e) => e.type),
    'stdout stream equals events.jsonl',
  );
  const types = new Set(all.map((e) => e.type));
  for (const type of [
    'run-start',
    'stage-change',
    'step',
    'eval',
    'attention-snapshot',
    'checkpoint',
    'done',
  ])
    assert.ok(types.has(type as RunEvent['type']), `no ${type} event`);
  const steps = all.filter((e) => e.type === 'step');
  assert.equal(steps.length, 14);
  const distillStep = steps.find((e) => e.type === 'step' && e.payload.stage === 'distill');
  assert.ok(distillStep?.type === 'step');
  for (const term of ['total', 'softLabel', 'hardLabel', 'hidden', 'attention'])
    assert.ok(Number.isFinite(distillStep.payload.losses[term as 'total']), `distill step lacks ${term}`);
  // data.unlabelledRatio 0.5: step s of the stage draws an unlabelled batch exactly when s is odd. Those
  // batches have no gold labels, so they report no hard-label term (rather than a loss of 0).
  for (const e of steps) {
    if (e.type !== 'step' || e.payload.stage !== 'distill') continue;
    const unlabelled = (e.payload.step - 1) % 2 === 1;
    const hard = e.payload.losses.hardLabel;
    if (unlabelled)
      assert.equal(hard, undefined, `unlabelled step ${e.payload.step} reports hardLabel ${hard}`);
    else assert.ok(hard !== undefined && hard > 0, `labelled step ${e.payload.step} lacks hardLabel`);
    assert.ok(Number.isFinite(e.payload.losses.softLabel), 'soft labels on every batch');
  }
  const snapshot = all.find((e) => e.type === 'attention-snapshot');
  assert.ok(snapshot?.type === 'attention-snapshot');
  const map = snapshot.payload.maps[0];
  assert.ok(map);
  assert.equal(map.teacher.length, 2, 'teacher heads grouped to the student count');
  assert.equal(map.teacher[0]?.length, map.tokens.length);
  assert.deepEqual(
    readdirSync(join(runDir, 'checkpoints')).filter((n) => n.startsWith('step-')).length,
    2,
    'keepLast 2',
  );
  for (const file of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer.json'])
    assert.ok(existsSync(join(runDir, 'final', file)), `final/${file}`);
  const predict = cli(
    ['predict', '--model', join(runDir, 'final'), '--text', 'the acting was great', '--json'],
    ws.dir,
  );
  assert.equal(predict.code, 0, predict.stderr);
  const labels = (JSON.parse(predict.stdout) as { label: string[] }).label;
  assert.ok(['negative', 'positive'].includes(labels[0] ?? ''));
  const again = cli(['train', 'tiny.distill.json'], ws.dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run\. Continue it with `distill-studio resume/);
});

function finalWeights(runDir: string): Buffer {
  return readFileSync(join(runDir, 'final', 'model.safetensors'));
}

test('resume after kill -9 reaches exactly the result of an uninterrupted run', async (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws, { name: 'straight' }, 'straight.distill.json');
  writeTinyRun(ws, { name: 'killed' }, 'killed.distill.json');
  assert.equal(cli(['train', 'straight.distill.json'], ws.dir).code, 0);
  const runDir = join(ws.dir, 'runs', 'killed');
  // Kill -9 once the distill stage has a checkpoint mid-way (step 9 = 6 teacher + 3 distill steps).
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'train', 'killed.distill.json', '--json'], { cwd: ws.dir });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (/"type":"checkpoint".*"globalStep":9/.test(buffer)) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? done() : fail(new Error(`exited without being killed: ${buffer.slice(-500)}`)),
    );
  });
  assert.equal(existsSync(join(runDir, 'final')), false);
  const resumed = cli(['resume', runDir], ws.dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resumed from .*step-9/);
  assert.ok(
    finalWeights(join(ws.dir, 'runs', 'straight')).equals(finalWeights(runDir)),
    'final weights differ from the uninterrupted run',
  );
});

test('SIGTERM saves a checkpoint and stops cleanly; a corrupt newest checkpoint is skipped on resume', async (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws, { checkpoints: { everySteps: 0, keepLast: 3 } });
  const runDir = join(ws.dir, 'runs', 'tiny');
  const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [BIN, 'train', 'tiny.distill.json', '--json'], { cwd: ws.dir });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!sent && /"stage":"distill","step":2,/.test(out)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => done({ code, stderr: err }));
  });
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /continue with: distill-studio resume/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
  const checkpoints = readdirSync(join(runDir, 'checkpoints'))
    .filter((n) => n.startsWith('step-'))
    .sort((a, b) => Number(b.slice(5)) - Number(a.slice(5)));
  const newest = checkpoints[0];
  assert.ok(
    newest !== undefined && Number(newest.slice(5)) > 6,
    `a signal checkpoint after the teacher stage: ${checkpoints.join(', ')}`,
  );
  // Corrupt the newest checkpoint: resume reports it and falls back to the previous good one (end of teacher stage).
  writeFileSync(join(runDir, 'checkpoints', newest, 'weights.safetensors'), 'garbage');
  const resumed = cli(['resume', runDir], ws.dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(
    resumed.stderr,
    new RegExp(`skipping checkpoint .*${newest}: weights.safetensors does not match its recorded SHA-256`),
  );
  assert.match(resumed.stderr, /resumed from .*step-6/);
  assert.ok(existsSync(join(runDir, 'final', 'model.safetensors')));
});

test('bad data rows stop the run with file:line before any training, or are skipped with a count', (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws);
  const rows = readFileSync(join(ws.dir, 'train.tsv'), 'utf8').split('\n');
  rows.splice(3, 0, '\tpositive', 'fine\t');
  writeFileSync(join(ws.dir, 'train.tsv'), rows.join('\n'));
  const abort = cli(['train', 'tiny.distill.json'], ws.dir);
  assert.equal(abort.code, 1, abort.stderr);
  assert.match(abort.stderr, /train\.tsv:4:\d+: error data-bad-row: train data: empty or missing text/);
  assert.match(abort.stderr, /train\.tsv:5:\d+: error data-bad-row: train data: missing label/);
  writeTinyRun(ws, { data: { train: 'train.tsv', eval: 'eval.tsv', maxLength: 32, badRows: 'skip' } });
  writeFileSync(join(ws.dir, 'train.tsv'), rows.join('\n'));
  const skip = cli(['train', 'tiny.distill.json'], ws.dir);
  assert.equal(skip.code, 0, skip.stderr);
  assert.match(
    skip.stderr,
    /skipped 2 unusable row\(s\) \(data\.badRows is "skip"\), first: train\.tsv:4, train\.tsv:5/,
  );
});
