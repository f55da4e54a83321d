// Chooses and initialises the TensorFlow.js backend: tfjs-node-gpu, then tfjs-node, then WebAssembly, then pure
// JavaScript. Reports which one runs and why each better one was unavailable.
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend that runs. */
  name: BackendName;
  /** The TensorFlow.js backend id (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why each backend tried before it was not used. */
  skipped: { name: BackendName; reason: string }[];
}

export class BackendError extends Error {
  override name = 'BackendError';
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

async function activate(name: BackendName, threads: number | undefined): Promise<string> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      // Optional native packages: absent unless their install could download libtensorflow.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
      return 'tensorflow';
    }
    case 'wasm': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;
      const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      wasm.setWasmPaths(`${dist}/`);
      if (threads !== undefined) wasm.setThreadsCount(threads);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      return 'wasm';
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return 'cpu';
  }
}

/**
 * Initialises `requested` (or the best available one for `auto`). An explicitly requested backend that fails is
 * an error naming the reason; `auto` falls through the order and records why.
 */
export async function initBackend(
  requested: 'auto' | BackendName = 'auto',
  threads?: number,
): Promise<BackendInfo> {
  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of candidates) {
    try {
      const tfBackend = await activate(name, threads);
      await tf.ready();
      return { name, tfBackend, skipped };
    } catch (error) {
      const reason = /Cannot find module/.test(errorText(error))
        ? `not installed (npm install ${name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : `@tensorflow/${name}`})`
        : errorText(error);
      if (requested !== 'auto') throw new BackendError(`Backend "${name}" is unavailable: ${reason}.`);
      skipped.push({ name, reason });
    }
  }
  throw new BackendError(
    `No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}.`,
  );
}

/** One line for logs: which backend runs and why the better ones did not. */
export function describeBackend(info: BackendInfo): string {
  const why = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return why === '' ? `backend: ${info.name}` : `backend: ${info.name} (skipped ${why})`;
}
