// A checkpoint folder timed through TensorFlow.js (the inference path of `predict`/`eval`), at the same batch x
// sequence points and with the same statistics as the ONNX models, so `bench` shows the TF.js model beside its
// exports. Size is model*.safetensors; the parameter count comes from loading the checkpoint.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadModel } from '../checkpoint/modelCheckpoint';
import type { EncodedBatch } from '../inference/inferenceModel';
import { openTfjsModel } from '../inference/tfjsModel';
import { SeedStream } from '../models/nn';
import { pointFromTimes, type BenchSettings, type ModelBench } from './bench';
import { PeakRss } from './peakRss';
import { makeBatch } from './verifyInputs';

const rows = (flat: Int32Array, batch: number, length: number): number[][] =>
  Array.from({ length: batch }, (_, i) => Array.from(flat.subarray(i * length, (i + 1) * length)));

async function safetensorsBytes(dir: string): Promise<number> {
  const names = (await readdir(dir)).filter((n) => /^model.*\.safetensors$/.test(n));
  let total = 0;
  for (const name of names) total += (await stat(join(dir, name))).size;
  return total;
}

/** Benchmarks a checkpoint folder on TensorFlow.js (`backend`: auto, cpu, wasm, ...). */
export async function benchTfjsModel(
  dir: string,
  settings: BenchSettings,
  backend: string | undefined,
  log: (line: string) => void = () => undefined,
): Promise<ModelBench> {
  const folder = resolve(dir);
  // Loaded once for its size facts and freed before the timed copy opens (through the predict/eval code path).
  const { model: counted, config } = await loadModel(folder);
  const parameters = counted.params.count();
  counted.params.dispose();
  const peak = new PeakRss();
  const model = await openTfjsModel(folder, backend);
  const result: ModelBench = {
    path: folder,
    name: basename(folder),
    runtime: 'tfjs',
    backend: model.backend,
    fileBytes: await safetensorsBytes(folder),
    parameters,
    precision: 'fp32',
    executionProvider: 'cpu',
    peakRssBytes: peak.bytes,
    peakRssMethod: peak.method,
    points: [],
    skipped: [],
  };
  if (settings.ep !== 'cpu')
    result.fallback = `--ep ${settings.ep} applies to onnxruntime; TensorFlow.js runs on ${model.backend}.`;
  const seeds = new SeedStream(7);
  const sample = (): void => peak.sample();
  try {
    for (const batch of settings.batches) {
      for (const sequence of settings.sequences) {
        if (sequence > config.max_position_embeddings) {
          result.skipped.push({
            batch,
            sequence,
            reason: `longer than the model's max_position_embeddings ${config.max_position_embeddings}`,
          });
          continue;
        }
        const b = makeBatch(
          { batch, length: sequence, padded: false, pairs: false },
          config.vocab_size,
          1,
          seeds,
        );
        const input: EncodedBatch = {
          inputIds: rows(b.inputIds, batch, sequence),
          attentionMask: rows(b.attentionMask, batch, sequence),
          tokenTypeIds: rows(b.tokenTypeIds, batch, sequence),
        };
        for (let i = 0; i < settings.warmup; i++) await model.run(input, { hidden: false });
        const times: number[] = [];
        for (let i = 0; i < Math.max(1, settings.runs); i++) {
          const start = process.hrtime.bigint();
          await model.run(input, { hidden: false });
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
          sample();
        }
        const point = pointFromTimes(times, { batch, sequence });
        result.points.push(point);
        log(`${result.name} (TensorFlow.js): batch ${batch} x ${sequence}: p50 ${point.p50Ms.toFixed(2)} ms`);
      }
    }
  } finally {
    result.peakRssBytes = peak.bytes;
    await model.dispose();
  }
  return result;
}
