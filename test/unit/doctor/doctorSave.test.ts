// `doctor` keeps its report where the dashboard's Doctor tab looks: doctor.json in the run folder of the student
// (runs/<name>/final -> runs/<name>/doctor.json), readable by the dashboard's parser; --json output stays pure JSON;
// a student outside a run folder writes nothing.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { parseDoctorFile } from '../../../src/protocol/dashboard';
import {
  doctorFileFor,
  DOCTOR_SCHEMA,
  registerDoctorCommand,
} from '../../../src/trainer/commands/doctorCommand';

const BERT_CLS = resolve('test/fixtures/models/bert-cls');
const DATA = resolve('test/fixtures/doctor/data.tsv');

async function doctor(args: string[]): Promise<string> {
  let stdout = '';
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerDoctorCommand(program, () => undefined, { out: (t) => (stdout += t), err: () => undefined });
  await program.parseAsync(['doctor', '--data', DATA, '--backend', 'cpu', ...args], { from: 'user' });
  return stdout;
}

test('doctor saves doctor.json in the student’s run folder', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'distill-doctor-save-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runDir = join(dir, 'runs', 'r');
  cpSync(BERT_CLS, join(runDir, 'final'), { recursive: true });
  writeFileSync(join(runDir, 'run.json'), '{}');
  assert.equal(doctorFileFor(join(runDir, 'final')), join(runDir, 'doctor.json'));
  assert.equal(doctorFileFor(BERT_CLS), undefined);
  const stdout = await doctor(['--teacher', BERT_CLS, '--student', join(runDir, 'final'), '--json']);
  const printed = JSON.parse(stdout) as { stages: unknown[] };
  const saved = JSON.parse(readFileSync(join(runDir, 'doctor.json'), 'utf8')) as {
    schema: string;
    stages: unknown[];
  };
  assert.equal(saved.schema, DOCTOR_SCHEMA);
  assert.deepEqual(saved.stages, printed.stages);
  const parsed = parseDoctorFile(saved, join(runDir, 'doctor.json'));
  assert.ok(typeof parsed !== 'string', String(parsed));
  assert.deepEqual(
    parsed.stages.map((s) => s.stage),
    ['teacher', 'student'],
  );
  const text = await doctor(['--teacher', BERT_CLS, '--student', join(runDir, 'final')]);
  assert.match(text, /Saved .*doctor\.json/);
  assert.equal(existsSync(join(dirname(BERT_CLS), 'doctor.json')), false);
});
