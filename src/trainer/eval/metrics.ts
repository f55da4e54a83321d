// Classification metrics from predicted and gold label ids: accuracy, macro-F1, per-class precision / recall /
// F1 / support, and the confusion matrix (rows = gold, columns = predicted), as scikit-learn defines them
// (a class with no predictions has precision 0; macro-F1 averages over every class in `labels`).

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold examples of this class. */
  support: number;
}

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[gold][predicted] */
  confusion: number[][];
}

export function classificationMetrics(
  gold: readonly number[],
  predicted: readonly number[],
  labels: readonly string[],
): ClassificationMetrics {
  if (gold.length !== predicted.length)
    throw new Error(`metrics: ${gold.length} gold labels but ${predicted.length} predictions`);
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] ?? -1;
    if (g < 0 || g >= k || p < 0 || p >= k) throw new Error(`metrics: label id out of range at example ${i}`);
    const row = confusion[g];
    if (row) row[p] = (row[p] ?? 0) + 1;
    if (g === p) correct++;
  });
  const perClass = labels.map((label, c) => {
    const tp = confusion[c]?.[c] ?? 0;
    const support = (confusion[c] ?? []).reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + (row[c] ?? 0), 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const macroF1 = k === 0 ? 0 : perClass.reduce((a, c) => a + c.f1, 0) / k;
  return {
    n: gold.length,
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    macroF1,
    perClass,
    confusion,
  };
}

/** Softmax of one row of logits, computed stably. */
export function softmaxRow(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] ?? -Infinity)) best = i;
  });
  return best;
}
