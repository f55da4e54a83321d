// An independent validity check: the official onnx package's checker, with full_check (shape inference on every
// node), accepts every export: each model fixture, float32 with and without hidden outputs, opset 13 (LayerNorm
// decomposed), fp16 and int8. Skipped, with the reason, where Debian's python3-onnx is not installed
// (`apt-get install -y python3-onnx`); its onnx 1.12 knows opsets up to 17, so newer opsets are left to onnxruntime.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { exportOnnxBytes, type OnnxExportOptions } from '../../../src/trainer/onnx/exportGraph';
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
