// Teacher forward benchmark (part of `npm run bench`): one distillation batch through the trainer's two teacher
// runners side by side in one process, TensorFlow.js on the WebAssembly backend (one thread: its threaded build
// cannot start in Node) and onnxruntime-node on the same weights (1 thread, and the run's default of every core),
// asking for what a TinyBERT-style stage reads (logits, every hidden state and attention map) and for logits only.
// Times include what the trainer pays around the call: reading the batch, and copying ONNX outputs into tensors.
// The runners take turns call by call, so load from other work on a shared machine falls on each alike.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../src/trainer/backend/backend';
import { openOnnxTeacher } from '../src/trainer/distill/onnxTeacher';
import { tfjsTeacher, type TeacherRunner } from '../src/trainer/distill/teacherRunner';
import { createModel } from '../src/trainer/models/createModel';
import { completeConfig } from '../src/trainer/models/modelConfig';
import { SeedStream } from '../src/trainer/models/nn';
import { exportOnnxBytes } from '../src/trainer/onnx/exportGraph';
import { disposeBatch, makeBatch, type Batch, type EncodedExample } from '../src/trainer/train/dataset';
import { disposeTeacherOutput, type TeacherNeeds } from '../src/trainer/train/distillStep';

interface Case {
  label: string;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocab: number;
  batch: number;
  length: number;
  /** Timed repetitions after one warm-up. */
  reps: number;
}

const CASES: Case[] = [
  {
    label: 'BERT L4/H256/A4 (TinyBERT-style teacher)',
    layers: 4,
    hidden: 256,
    heads: 4,
    intermediate: 1024,
    vocab: 8000,
    batch: 32,
    length: 64,
    reps: 8,
  },
  {
    label: 'BERT-base L12/H768/A12',
    layers: 12,
    hidden: 768,
    heads: 12,
    intermediate: 3072,
    vocab: 30522,
    batch: 16,
    length: 128,
    reps: 3,
  },
];

/** A batch of `rows` rows, a quarter of them shorter (padding), like a real distillation batch. */
function batchOf(c: Case, seed: number): Batch {
  const random = new SeedStream(seed);
  const rows: EncodedExample[] = Array.from({ length: c.batch }, (_, i) => {
    const n = i % 4 === 3 ? Math.floor(c.length / 2) : c.length;
    const inputIds = Array.from({ length: n }, () => 5 + Math.floor(random.nextUnit() * (c.vocab - 5)));
    return { inputIds, tokenTypeIds: inputIds.map(() => 0), label: 0 };
  });
  return makeBatch(rows);
}

/**
 * Median milliseconds of each runner, the runners interleaved call by call so that load from other work on a
 * shared machine falls on all of them alike (the ratio is the point). The first round warms up.
 */
async function medians(
  runners: readonly TeacherRunner[],
  batch: Batch,
  needs: TeacherNeeds,
  reps: number,
): Promise<number[]> {
  const times: number[][] = runners.map(() => []);
  for (let round = 0; round <= reps; round++)
    for (const [i, runner] of runners.entries()) {
      const start = performance.now();
      const out = await runner.run(batch, needs);
      const ms = performance.now() - start;
      disposeTeacherOutput(out);
      if (round > 0) times[i]?.push(ms);
    }
  return times.map((t) => {
    t.sort((x, y) => x - y);
    return t[Math.floor(t.length / 2)] ?? NaN;
  });
}

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const cores = availableParallelism();
  console.log(
    `teacher forward, one distillation batch: TensorFlow.js ${backend.name} (1 thread) vs onnxruntime-node (${cores} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  for (const c of CASES) {
    const config = completeConfig({
      model_type: 'bert',
      num_hidden_layers: c.layers,
      hidden_size: c.hidden,
      num_attention_heads: c.heads,
      intermediate_size: c.intermediate,
      vocab_size: c.vocab,
      max_position_embeddings: 512,
      id2label: { '0': 'negative', '1': 'positive' },
    });
    const model = createModel(config, 'sequence-classification', 1);
    const bytes = exportOnnxBytes(model, { withHidden: true, maxLength: c.length });
    const runners: [string, TeacherRunner][] = [['tfjs wasm', tfjsTeacher(model)]];
    for (const threads of [...new Set([1, cores])])
      runners.push([
        `onnxruntime ${threads} thread${threads === 1 ? '' : 's'}`,
        await openOnnxTeacher(bytes, config, { threads, label: 'bench' }),
      ]);
    const batch = batchOf(c, 3);
    const all: TeacherNeeds = {
      logits: true,
      maskedLm: false,
      hiddenLayers: Array.from({ length: c.layers + 1 }, (_, i) => i),
      attentionLayers: Array.from({ length: c.layers }, (_, i) => i + 1),
      attentionKind: 'probs',
    };
    const logitsOnly: TeacherNeeds = { ...all, hiddenLayers: [], attentionLayers: [] };
    console.log(`${c.label}, batch ${c.batch} x ${c.length} tokens, median of ${c.reps}, interleaved:`);
    for (const [what, needs] of [
      ['logits + every hidden state + every attention map', all],
      ['logits only', logitsOnly],
    ] as const) {
      const ms = await medians(
        runners.map(([, r]) => r),
        batch,
        needs,
        c.reps,
      );
      const tfjs = ms[0] ?? NaN;
      const parts = runners.map(
        ([name], i) =>
          `${name} ${(ms[i] ?? NaN).toFixed(0)} ms${i > 0 ? ` (${(tfjs / (ms[i] ?? NaN)).toFixed(1)}x)` : ''}`,
      );
      console.log(`  ${what}: ${parts.join(', ')}`);
    }
    disposeBatch(batch);
    for (const [, runner] of runners) await runner.dispose();
    model.params.dispose();
  }
}

void main();
