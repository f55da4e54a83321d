// GPU execution providers: the fallback chain (tensorrt -> cuda -> cpu) with an injected session factory, so every
// branch runs on a machine without a GPU, and the real onnxruntime-node build: what listSupportedBackends reports,
// whether the provider libraries are installed, and `bench --ep cuda|tensorrt` reporting the provider it used.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { registerBenchCommand } from '../../../src/trainer/commands/benchCommand';
import { BENCH_JSON_SCHEMA } from '../../../src/trainer/onnx/benchSchema';
import {
  nativeLibraryFolder,
  openProviderSession,
  providerStatus,
  type ProviderStatus,
  type SessionFactory,
} from '../../../src/trainer/onnx/executionProviders';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { exportModel } from '../../../src/trainer/onnx/exportModel';

ort.env.logLevel = 'fatal';

/** A factory that loads on the CPU only when asked for it, and on GPU providers per `works`. */
function fakeFactory(works: (providers: readonly string[]) => boolean): {
  create: SessionFactory;
  attempts: string[][];
} {
  const attempts: string[][] = [];
  const create: SessionFactory = (_file, options) => {
    const providers = (options.executionProviders ?? []).map(String);
    attempts.push(providers);
    if (providers[0] === 'cpu' || works(providers))
      return Promise.resolve({ release: () => Promise.resolve() } as unknown as ort.InferenceSession);
    return Promise.reject(new Error(`Failed to load ${providers[0] ?? ''}\nnative detail`));
  };
  return { create, attempts };
}

const INSTALLED: ProviderStatus[] = [
  { name: 'cpu', bundled: true, installed: true },
  { name: 'cuda', bundled: false, installed: true },
  { name: 'tensorrt', bundled: false, installed: true },
];
const NOT_INSTALLED: ProviderStatus[] = INSTALLED.map((s) => ({ ...s, installed: s.bundled }));

test('cpu opens one CPU session and reports no fallback', async () => {
  const { create, attempts } = fakeFactory(() => false);
  const result = await openProviderSession('m.onnx', 'cpu', {}, create, INSTALLED);
  assert.equal(result.provider, 'cpu');
  assert.equal(result.fallback, undefined);
  assert.deepEqual(attempts, [['cpu']]);
});

test('cuda that loads is used; cuda that fails falls back to the CPU with the reason and the fix', async () => {
  const ok = fakeFactory(() => true);
  const used = await openProviderSession('m.onnx', 'cuda', { intraOpNumThreads: 2 }, ok.create, INSTALLED);
  assert.equal(used.provider, 'cuda');
  assert.equal(used.fallback, undefined);
  assert.deepEqual(ok.attempts, [['cuda']]);

  const failing = fakeFactory(() => false);
  const fell = await openProviderSession('m.onnx', 'cuda', {}, failing.create, INSTALLED);
  assert.equal(fell.provider, 'cpu');
  assert.deepEqual(failing.attempts, [['cuda'], ['cpu']]);
  assert.match(
    fell.fallback ?? '',
    /^CUDA is unavailable \(Failed to load cuda\); running on the CPU\. .*npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12/,
  );
  // When the library is not installed, that is the reason given (not onnxruntime's native message).
  const missing = await openProviderSession(
    'm.onnx',
    'cuda',
    {},
    fakeFactory(() => false).create,
    NOT_INSTALLED,
  );
  assert.match(missing.fallback ?? '', /CUDA is unavailable \(its provider library .* is not installed/);
  const absent = await openProviderSession('m.onnx', 'cuda', {}, fakeFactory(() => false).create, [
    { name: 'cpu', bundled: true, installed: true },
  ]);
  assert.match(absent.fallback ?? '', /this onnxruntime-node build for \w+\/\w+ has no CUDA provider/);
});

test('tensorrt is tried with CUDA behind it, then CUDA alone, then the CPU', async () => {
  const trt = fakeFactory(() => true);
  assert.equal(
    (await openProviderSession('m.onnx', 'tensorrt', {}, trt.create, INSTALLED)).provider,
    'tensorrt',
  );
  assert.deepEqual(trt.attempts, [['tensorrt', 'cuda']]);

  const cudaOnly = fakeFactory((p) => p[0] === 'cuda');
  const onCuda = await openProviderSession('m.onnx', 'tensorrt', {}, cudaOnly.create, INSTALLED);
  assert.equal(onCuda.provider, 'cuda');
  assert.equal(onCuda.fallback, 'TensorRT is unavailable (Failed to load tensorrt); running on CUDA.');
  assert.deepEqual(cudaOnly.attempts, [['tensorrt', 'cuda'], ['cuda']]);

  const none = fakeFactory(() => false);
  const onCpu = await openProviderSession('m.onnx', 'tensorrt', {}, none.create, INSTALLED);
  assert.equal(onCpu.provider, 'cpu');
  assert.deepEqual(none.attempts, [['tensorrt', 'cuda'], ['cuda'], ['cpu']]);
  assert.match(
    onCpu.fallback ?? '',
    /^TensorRT is unavailable \(.*\); CUDA is unavailable \(.*\); running on the CPU\./,
  );
});

test('this onnxruntime-node build: listSupportedBackends plus whether each provider library is installed', () => {
  const statuses = providerStatus();
  assert.deepEqual(
    statuses.find((s) => s.name === 'cpu'),
    { name: 'cpu', bundled: true, installed: true },
  );
  const folder = nativeLibraryFolder();
  assert.ok(folder !== undefined && existsSync(folder), `native folder ${folder}`);
  for (const status of statuses.filter((s) => !s.bundled)) {
    if (process.platform !== 'linux') continue;
    const library = join(folder, `libonnxruntime_providers_${status.name}.so`);
    assert.equal(status.installed, existsSync(library), status.name);
  }
});

test('bench --ep cuda and --ep tensorrt report the provider that ran and why, in JSON that fits the schema', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.path('m.onnx');
  await exportModel({
    modelDir: 'test/fixtures/models/bert-cls',
    out: file,
    opset: 17,
    precision: 'fp32',
    withHidden: false,
  });
  const validate = new Ajv({ allErrors: true, strict: true }).compile(BENCH_JSON_SCHEMA);
  for (const ep of ['cuda', 'tensorrt'] as const) {
    let stdout = '';
    const program = new Command().exitOverride();
    registerBenchCommand(program, () => undefined, { out: (s) => (stdout += s), err: () => undefined });
    await program.parseAsync(
      [
        'bench',
        '--model',
        file,
        '--batch',
        '1',
        '--seq',
        '4',
        '--runs',
        '1',
        '--warmup',
        '0',
        '--ep',
        ep,
        '--json',
      ],
      { from: 'user' },
    );
    const report = JSON.parse(stdout) as {
      settings: { ep: string };
      host: { executionProviders: ProviderStatus[] };
      models: { executionProvider: string; fallback?: string; points: unknown[] }[];
    };
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.settings.ep, ep, 'the requested provider');
    assert.deepEqual(report.host.executionProviders, providerStatus());
    const model = report.models[0];
    assert.equal(model?.points.length, 1);
    const cudaInstalled = providerStatus().some((s) => s.name === 'cuda' && s.installed);
    if (!cudaInstalled) {
      // No GPU provider here: the CPU ran it, and the note says why and how to get CUDA.
      assert.equal(model?.executionProvider, 'cpu');
      assert.match(model?.fallback ?? '', /CUDA is unavailable \(its provider library .* is not installed/);
      assert.match(model?.fallback ?? '', /running on the CPU\..*onnxruntime-node-install=cuda12/);
    } else {
      // A machine with the provider libraries: whatever ran is named, and any fallback has a reason.
      assert.ok(['cuda', 'tensorrt', 'cpu'].includes(model?.executionProvider ?? ''));
      if (model?.executionProvider !== ep) assert.match(model?.fallback ?? '', /is unavailable \(/);
    }
  }
});
