// Backend choice: the best available, with the reason each better one was skipped; explicit requests fail clearly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BackendError, describeBackend, initBackend } from '../../../src/trainer/backend/backend';

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

test(
  'an explicitly requested native backend that is not installed is a clear error',
  { skip: installed('@tensorflow/tfjs-node') },
  async () => {
    await assert.rejects(initBackend('tfjs-node'), (error: unknown) => {
      assert.ok(error instanceof BackendError);
      assert.match(
        error.message,
        /Backend "tfjs-node" is unavailable: not installed \(npm install @tensorflow\/tfjs-node\)/,
      );
      return true;
    });
  },
);

test('auto picks the best available backend and says why the better ones were skipped', async () => {
  const info = await initBackend('auto');
  assert.equal(tf.getBackend(), info.tfBackend);
  const native = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
  if (!native) {
    assert.equal(info.name, 'wasm');
    assert.deepEqual(
      info.skipped.map((s) => s.name),
      ['tfjs-node-gpu', 'tfjs-node'],
    );
    assert.match(
      describeBackend(info),
      /^backend: wasm \(skipped tfjs-node-gpu: not installed .*; tfjs-node: not installed/,
    );
  }
  const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync();
  assert.deepEqual(Array.from(product), [11]);
});

test('the pure JavaScript backend can be chosen explicitly', async () => {
  const info = await initBackend('cpu');
  assert.deepEqual([info.name, tf.getBackend()], ['cpu', 'cpu']);
});
