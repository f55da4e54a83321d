// The reports a run folder holds besides its events, for the Benchmark and Doctor tabs: every `<name>.bench.json`
// that `bench` saved beside a model (the run's ONNX exports under onnx/, checkpoint folders' `.tfjs.bench.json`),
// the `doctor.json` that `doctor` saves in the run folder of the student it diagnosed, and the .onnx files (to
// offer a benchmark). Files outside the run can be added (Benchmark ONNX Model on a model elsewhere). Pure Node.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  parseBenchFile,
  parseDoctorFile,
  type BenchFileData,
  type DoctorData,
  type RunReports,
} from '../../protocol/dashboard';

/** How deep under the run folder to look (runs/<name>/onnx/<model>/model.bench.json is depth 2). */
const MAX_DEPTH = 3;
/** Folders that never hold reports: checkpoints can number hundreds. */
const SKIPPED = new Set(['checkpoints', 'node_modules', '.git']);

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !SKIPPED.has(entry.name)) await walk(path, depth + 1, out);
    } else if (entry.isFile()) out.push(path);
  }
}

/** Whether a changed path can change the reports (the watcher's filter). */
export function isReportFile(path: string): boolean {
  return path.endsWith('.bench.json') || path.endsWith('doctor.json') || path.endsWith('.onnx');
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

/** Reads the reports of `runDir` plus `extraBenchFiles`; unreadable ones are listed in `problems`. */
export async function readRunReports(
  runDir: string,
  extraBenchFiles: readonly string[] = [],
): Promise<RunReports> {
  const files: string[] = [];
  await walk(runDir, 0, files);
  const benchFiles = [...new Set([...files.filter((f) => f.endsWith('.bench.json')), ...extraBenchFiles])];
  const benchmarks: BenchFileData[] = [];
  const problems: string[] = [];
  const show = (file: string): string => (file.startsWith(runDir) ? relative(runDir, file) : file);
  for (const file of benchFiles.sort()) {
    try {
      const parsed = parseBenchFile(await readJson(file), file);
      if (typeof parsed === 'string') problems.push(`${show(file)}: ${parsed}`);
      else benchmarks.push(parsed);
    } catch (error) {
      // A file from another run of `bench` vanishing or half-written is reported, not fatal.
      problems.push(`${show(file)}: ${(error as Error).message}`);
    }
  }
  let doctor: DoctorData | undefined;
  const doctorFile = join(runDir, 'doctor.json');
  if (files.includes(doctorFile)) {
    try {
      const parsed = parseDoctorFile(await readJson(doctorFile), doctorFile);
      if (typeof parsed === 'string') problems.push(`doctor.json: ${parsed}`);
      else doctor = parsed;
    } catch (error) {
      problems.push(`doctor.json: ${(error as Error).message}`);
    }
  }
  return { benchmarks, doctor, onnxFiles: files.filter((f) => f.endsWith('.onnx')).sort(), problems };
}
