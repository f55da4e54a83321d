// int8 and fp16 accuracy on a small model trained through the built CLI (the tiny run: a 2-layer BERT teacher, then
// a 2-layer MobileBERT-style student): fp32, int8 and fp16 exports with `--data eval.tsv`, each accuracy change
// within the bound measured here. The tiny run is seconds long and does not leave chance (its student predicts one
// class for all 40 eval rows, 42.5%), so this pins the export + evaluate path on trained weights, not a good model.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ExportReport } from '../../../src/trainer/onnx/exportModel';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { writeTinyRun } from '../../helpers/tinyRun';
import { cli } from '../../helpers/builtCli';

/**
 * Largest accuracy change accepted, in accuracy units (0.05 = 5 points, two of the 40 rows). Measured on this run:
 * fp32 0 (vs TensorFlow.js), fp16 0 and int8 0 (vs the float32 export); 5 points leaves room for a row or two
 * whose logits sit at the decision boundary on another CPU.
 */
const BOUND = { fp32: 0, fp16: 0.05, int8: 0.05 } as const;

test('fp32, int8 and fp16 exports of a trained tiny model keep its accuracy on eval.tsv', (t) => {
  const ws = tempWorkspace(t);
  writeTinyRun(ws);
  const train = cli(['train', 'tiny.distill.json'], ws.dir);
  assert.equal(train.code, 0, train.stderr);
  const final = join(ws.dir, 'runs', 'tiny', 'final');
  const evaluated = cli(['eval', '--model', final, '--data', 'eval.tsv', '--json'], ws.dir);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const checkpointAccuracy = (JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy;
  const reports = new Map<string, ExportReport>();
  for (const precision of ['fp32', 'int8', 'fp16'] as const) {
    const quantize = precision === 'fp32' ? [] : ['--quantize', precision];
    const args = ['export', '--model', final, '--out', `student-${precision}.onnx`, '--data', 'eval.tsv'];
    const r = cli([...args, ...quantize, '--backend', 'cpu', '--json'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ExportReport;
    const a = report.accuracy;
    assert.ok(a !== undefined, `${precision}: no accuracy report`);
    assert.equal(a.n, 40);
    t.diagnostic(
      `${precision}: accuracy ${(a.exported.accuracy * 100).toFixed(1)}% vs ${(a.baseline.accuracy * 100).toFixed(1)}% (${a.baselineKind}), change ${(a.accuracyChange * 100).toFixed(1)} points, predicted ${a.exported.predictedCounts.join('/')}; generated inputs: max |logit diff| ${report.verification.maxAbsDiff.toExponential(1)}, agreement ${((report.verification.agreement?.rate ?? NaN) * 100).toFixed(1)}%`,
    );
    assert.ok(
      Math.abs(a.accuracyChange) <= BOUND[precision],
      `${precision} changed accuracy by ${a.accuracyChange} (bound ${BOUND[precision]})`,
    );
    assert.equal(a.collapsed, false, `${precision} collapsed: ${report.warnings.join(' ')}`);
    reports.set(precision, report);
  }
  // The fp32 export's baseline is the checkpoint `eval` just scored; int8/fp16 are compared with that fp32 export.
  assert.equal(reports.get('fp32')?.accuracy?.baseline.accuracy, checkpointAccuracy);
  for (const precision of ['int8', 'fp16'])
    assert.equal(
      reports.get(precision)?.accuracy?.baseline.accuracy,
      reports.get('fp32')?.accuracy?.exported.accuracy,
    );
});
