// An independent validity check: the official onnx package's checker, with full_check (shape inference on every
// node), accepts every export: each model fixture, float32 with and without hidden outputs, opset 13 (LayerNorm
// decomposed), fp16 and int8, and with the weights in ONNX external data. Skipped, with the reason, where Debian's python3-onnx is not installed
// (`apt-get install -y python3-onnx`); its onnx 1.12 knows opsets up to 17, so newer opsets are left to onnxruntime.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import {
  exportOnnxArtifact,
  exportOnnxBytes,
  type OnnxExportOptions,
} from '../../../src/trainer/onnx/exportGraph';
import { dataLocationFor, writeArtifact } from '../../../src/trainer/onnx/externalData';
import { MODEL_FIXTURES, modelFixtures } from './onnxFixtures';

const PYTHON = '/usr/bin/python3';

/** The highest opset the installed onnx checker knows, or why it cannot run. */
function onnxChecker(): { opset: number } | { skip: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx, onnx.defs; print(onnx.defs.onnx_opset_version())'], {
    encoding: 'utf8',
  });
  if (probe.error !== undefined) return { skip: `${PYTHON} is not available` };
  if (probe.status !== 0) return { skip: 'python3-onnx is not installed (apt-get install -y python3-onnx)' };
  return { opset: Number(probe.stdout.trim()) };
}

const CHECK = `
import json, sys, onnx
results = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        results[path] = "ok"
    except Exception as error:
        results[path] = str(error)[:500]
print(json.dumps(results))
`;

const checker = onnxChecker();

before(async () => {
  await initBackend('cpu');
});

test(
  'onnx.checker.check_model(full_check=True) accepts every export',
  { skip: 'skip' in checker ? checker.skip : false },
  async () => {
    if (!('opset' in checker)) return;
    const dir = mkdtempSync(join(tmpdir(), 'distill-studio-onnx-'));
    try {
      const files: string[] = [];
      const variants: [string, OnnxExportOptions][] = [
        ['fp32', {}],
        ['hidden', { withHidden: true }],
        ['opset13', { opset: 13, withHidden: true }],
        ['fp16', { precision: 'fp16', withHidden: true }],
        ['int8', { precision: 'int8' }],
      ];
      for (const name of modelFixtures()) {
        const { model } = await loadModel(join(MODEL_FIXTURES, name));
        for (const [variant, options] of variants) {
          if ((options.opset ?? 17) > checker.opset) continue;
          const file = join(dir, `${name}.${variant}.onnx`);
          writeFileSync(file, exportOnnxBytes(model, options));
          files.push(file);
        }
        model.params.dispose();
      }
      const run = spawnSync(PYTHON, ['-c', CHECK, ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
      assert.equal(run.status, 0, run.stderr);
      const results = JSON.parse(run.stdout) as Record<string, string>;
      const failures = Object.entries(results).filter(([, result]) => result !== 'ok');
      assert.deepEqual(failures, []);
      assert.equal(Object.keys(results).length, files.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// Two ways in: check_model(path) reads the model and checks each external tensor's file (onnx's route for files over
// 2 GiB), and onnx.load(path) pulls the data in (load_external_data) before the full check.
const CHECK_EXTERNAL = `
import json, sys, onnx
results = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(path, full_check=True)
        model = onnx.load(path)
        external = [t.name for t in onnx.load(path, load_external_data=False).graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
        onnx.checker.check_model(model, full_check=True)
        results[path] = "ok %d" % len(external)
    except Exception as error:
        results[path] = str(error)[:500]
print(json.dumps(results))
`;

test(
  'onnx.checker accepts exports with external data, by path and after onnx.load',
  { skip: 'skip' in checker ? checker.skip : false },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distill-studio-onnx-external-'));
    try {
      const files: string[] = [];
      for (const name of ['bert-cls', 'mobilebert-mlm']) {
        const { model } = await loadModel(join(MODEL_FIXTURES, name));
        for (const precision of ['fp32', 'int8', 'fp16'] as const) {
          const file = join(dir, `${name}.${precision}.onnx`);
          const artifact = exportOnnxArtifact(model, {
            precision,
            externalData: { mode: 'always', location: dataLocationFor(file) },
          });
          await writeArtifact(file, artifact);
          files.push(file);
        }
        model.params.dispose();
      }
      const run = spawnSync(PYTHON, ['-c', CHECK_EXTERNAL, ...files], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      assert.equal(run.status, 0, run.stderr);
      const results = JSON.parse(run.stdout) as Record<string, string>;
      assert.equal(Object.keys(results).length, files.length);
      for (const [file, result] of Object.entries(results)) {
        const match = /^ok (\d+)$/.exec(result);
        assert.ok(match, `${file}: ${result}`);
        assert.ok(Number(match[1]) >= 5, `${file}: only ${match[1]} external tensors`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
