// The tensor names of a safetensors checkpoint folder, read from the file header (or the shard index) without
// loading any weights, so validation can tell which heads a checkpoint carries (e.g. a masked-LM head).
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Headers larger than this are not read (real ones are kilobytes; safetensors itself caps them at 100 MB). */
const MAX_HEADER_BYTES = 100 * 2 ** 20;

async function headerNames(file: string): Promise<string[] | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const size = Buffer.alloc(8);
    if ((await handle.read(size, 0, 8, 0)).bytesRead !== 8) return undefined;
    const length = Number(size.readBigUInt64LE(0));
    if (length <= 0 || length > MAX_HEADER_BYTES) return undefined;
    const header = Buffer.alloc(length);
    if ((await handle.read(header, 0, length, 8)).bytesRead !== length) return undefined;
    const parsed = JSON.parse(header.toString('utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object') return undefined;
    return Object.keys(parsed).filter((k) => k !== '__metadata__');
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Names in model.safetensors, or in the weight map of model.safetensors.index.json; undefined if unreadable. */
export async function checkpointTensorNames(dir: string): Promise<string[] | undefined> {
  const single = await headerNames(join(dir, 'model.safetensors'));
  if (single !== undefined) return single;
  try {
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8')) as {
      weight_map?: Record<string, string>;
    };
    return index.weight_map !== undefined ? Object.keys(index.weight_map) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the names include a masked-LM head (BertForMaskedLM / BertForPreTraining / MobileBertForMaskedLM). */
export function hasMaskedLmHead(names: readonly string[]): boolean {
  return names.some((n) => /^cls\.predictions\.transform\.dense\.weight$/.test(n));
}
