// The extension's settings, typed. Each mirrors a `distillStudio.*` entry in package.json `contributes.configuration`
// (where the descriptions users see live, in package.nls*.json).
import * as vscode from 'vscode';

export type BackendSetting = 'config' | 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export type BenchExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';
const PROVIDERS: readonly BenchExecutionProvider[] = ['cpu', 'cuda', 'tensorrt'];

export interface Settings {
  /** Node.js executable for the trainer; empty: `node` on PATH. Ignored in untrusted workspaces. */
  nodePath: string;
  /** Training/export backend; `config` keeps each config's `backend.name`. */
  backend: BackendSetting;
  /** Extra folder (relative to each workspace folder, or absolute) scanned for runs, besides each config's output.dir. */
  runsFolder: string;
  /** onnxruntime intra-op threads for benchmarks; 0: onnxruntime's default. */
  threads: number;
  /** Default batch sizes and sequence lengths for Benchmark ONNX Model. */
  benchBatchSizes: number[];
  benchSequenceLengths: number[];
  /** onnxruntime execution provider for Benchmark ONNX Model; a missing GPU provider falls back to the CPU. */
  benchExecutionProvider: BenchExecutionProvider;
  /** How many runs train at once; more wait in a queue. */
  maxConcurrentRuns: number;
  /** Seconds a stopping trainer gets to save its checkpoint before it is killed. */
  stopTimeoutSeconds: number;
}

const BACKENDS: readonly BackendSetting[] = ['config', 'auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

function positiveIntegers(value: unknown, fallback: number[]): number[] {
  if (!Array.isArray(value)) return fallback;
  const list = value.filter((x): x is number => Number.isInteger(x) && (x as number) >= 1);
  return list.length > 0 ? [...new Set(list)] : fallback;
}

function integer(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : fallback;
}

/** Reads the settings, replacing out-of-range values by their defaults (settings.json is hand-edited). */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('distillStudio');
  const backend = c.get<unknown>('backend');
  const nodePath = c.get<unknown>('nodePath');
  const runsFolder = c.get<unknown>('runsFolder');
  return {
    nodePath: typeof nodePath === 'string' ? nodePath : '',
    backend: BACKENDS.includes(backend as BackendSetting) ? (backend as BackendSetting) : 'config',
    runsFolder: typeof runsFolder === 'string' && runsFolder.trim() !== '' ? runsFolder : 'runs',
    threads: integer(c.get<unknown>('threads'), 0, 0, 1024),
    benchBatchSizes: positiveIntegers(c.get<unknown>('bench.batchSizes'), [1, 8, 32]),
    benchSequenceLengths: positiveIntegers(c.get<unknown>('bench.sequenceLengths'), [32, 128]),
    benchExecutionProvider: PROVIDERS.includes(
      c.get<unknown>('bench.executionProvider') as BenchExecutionProvider,
    )
      ? (c.get<unknown>('bench.executionProvider') as BenchExecutionProvider)
      : 'cpu',
    maxConcurrentRuns: integer(c.get<unknown>('maxConcurrentRuns'), 1, 1, 16),
    stopTimeoutSeconds: integer(c.get<unknown>('stopTimeoutSeconds'), 60, 5, 3600),
  };
}

/** The `--backend` argument for the trainer, or undefined to keep the config's. */
export function backendArgument(settings: Settings): string | undefined {
  return settings.backend === 'config' ? undefined : settings.backend;
}
