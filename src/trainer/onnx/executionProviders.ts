// onnxruntime execution providers for benchmarks: which ones this onnxruntime-node build knows
// (ort.listSupportedBackends(): cpu and webgpu ship in the package, cuda and tensorrt are `bundled: false`, their
// libraries come from the install script's download), whether their libraries are installed, and a session on the
// requested one that falls back to the CPU, saying why, when it cannot load. TensorRT is tried with CUDA behind it
// for the nodes TensorRT does not take (what onnxruntime's documentation recommends), then CUDA alone, then the CPU.
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';

export interface ProviderStatus {
  name: string;
  /** Ships inside the onnxruntime-node package. */
  bundled: boolean;
  /** Its provider library is present (always true for bundled ones). */
  installed: boolean;
}

const LIBRARY: Record<string, Partial<Record<NodeJS.Platform, string>>> = {
  cuda: { linux: 'libonnxruntime_providers_cuda.so', win32: 'onnxruntime_providers_cuda.dll' },
  tensorrt: { linux: 'libonnxruntime_providers_tensorrt.so', win32: 'onnxruntime_providers_tensorrt.dll' },
};

/** The folder holding onnxruntime's native libraries for this platform (bin/napi-v6/<platform>/<arch>). */
export function nativeLibraryFolder(): string | undefined {
  try {
    const entry = require.resolve('onnxruntime-node');
    const root = dirname(dirname(entry)); // <package>/dist/index.js -> <package>
    return join(root, 'bin', 'napi-v6', platform(), arch());
  } catch {
    return undefined;
  }
}

function libraryFile(name: string): string | undefined {
  const file = LIBRARY[name]?.[platform()];
  const folder = nativeLibraryFolder();
  return file !== undefined && folder !== undefined ? join(folder, file) : undefined;
}

/** The execution providers of this onnxruntime-node build and whether each can be used. */
export function providerStatus(): ProviderStatus[] {
  return ort.listSupportedBackends().map(({ name, bundled }) => {
    const file = libraryFile(name);
    return { name, bundled, installed: bundled || (file !== undefined && existsSync(file)) };
  });
}

const LABEL: Record<ExecutionProvider, string> = { cpu: 'CPU', cuda: 'CUDA', tensorrt: 'TensorRT' };

/** Why `provider` may be missing, from the build's provider list and the library folder. */
function missingReason(provider: ExecutionProvider, statuses: readonly ProviderStatus[]): string | undefined {
  const status = statuses.find((s) => s.name === provider);
  if (status === undefined)
    return `this onnxruntime-node build for ${platform()}/${arch()} has no ${LABEL[provider]} provider`;
  if (!status.installed)
    return `its provider library ${libraryFile(provider) ?? ''} is not installed (onnxruntime-node was installed without GPU support)`;
  return undefined;
}

export type SessionFactory = (
  file: string,
  options: ort.InferenceSession.SessionOptions,
) => Promise<ort.InferenceSession>;

export interface ProviderSession {
  session: ort.InferenceSession;
  /** The provider the session runs on (onnxruntime still runs nodes a GPU provider does not support on the CPU). */
  provider: ExecutionProvider;
  /** Why the requested provider is not the one used. */
  fallback?: string;
}

/**
 * A session on `ep`, or the next provider in its chain (tensorrt -> cuda -> cpu, cuda -> cpu) when it cannot load,
 * with a note naming each failure and how to install GPU support.
 */
export async function openProviderSession(
  file: string,
  ep: ExecutionProvider,
  base: ort.InferenceSession.SessionOptions,
  create: SessionFactory = (f, o) => ort.InferenceSession.create(f, o),
  statuses: readonly ProviderStatus[] = providerStatus(),
): Promise<ProviderSession> {
  const attempts: { provider: ExecutionProvider; providers: ExecutionProvider[] }[] =
    ep === 'tensorrt'
      ? [
          { provider: 'tensorrt', providers: ['tensorrt', 'cuda'] },
          { provider: 'cuda', providers: ['cuda'] },
        ]
      : ep === 'cuda'
        ? [{ provider: 'cuda', providers: ['cuda'] }]
        : [];
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      const session = await create(file, { ...base, executionProviders: attempt.providers });
      const result: ProviderSession = { session, provider: attempt.provider };
      if (failures.length > 0)
        result.fallback = `${failures.join('; ')}; running on ${LABEL[attempt.provider]}.`;
      return result;
    } catch (error) {
      const why = missingReason(attempt.provider, statuses) ?? (error as Error).message.split('\n')[0] ?? '';
      failures.push(`${LABEL[attempt.provider]} is unavailable (${why})`);
    }
  }
  const session = await create(file, { ...base, executionProviders: ['cpu'] });
  if (failures.length === 0) return { session, provider: 'cpu' };
  return {
    session,
    provider: 'cpu',
    fallback: `${failures.join('; ')}; running on the CPU. onnxruntime-node installs without GPU providers here (the project's .npmrc skips the download): on a CUDA 12 machine run \`npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12\`.`,
  };
}
