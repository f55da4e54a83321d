// AdamW (Loshchilov & Hutter 2019) with decoupled weight decay, global-norm gradient clipping and the usual
// warmup + linear/cosine/constant schedule. Written out rather than taken from tf.train because TF.js has no AdamW
// and its optimizers' slots cannot be named for a checkpoint; here every moment is keyed by parameter name so runs
// resume exactly.
import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** Biases and normalisation weights are not decayed (as in BERT's original optimiser and HF examples). */
export function decays(name: string): boolean {
  return !(name.endsWith('.bias') || /LayerNorm\.weight$/.test(name) || /\.norm\.weight$/.test(name));
}

export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  step = 0;

  constructor(private readonly options: AdamWOptions) {}

  private slot(map: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let slot = map.get(name);
    if (slot === undefined) {
      slot = tf.variable(tf.zerosLike(like), false);
      map.set(name, slot);
    }
    return slot;
  }

  /** One update of `params` (by name) with `grads` (by the same names) at learning rate `lr`. */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, grad] of grads) {
        const param = params.get(name);
        if (param === undefined) continue;
        const m = this.slot(this.m, name, param);
        const v = this.slot(this.v, name, param);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        const decayed = weightDecay > 0 && decays(name) ? tf.mul(param, 1 - lr * weightDecay) : param;
        param.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  /** Moments by parameter name, for checkpoints. */
  state(): { step: number; m: Map<string, tf.Variable>; v: Map<string, tf.Variable> } {
    return { step: this.step, m: this.m, v: this.v };
  }

  /** Restores moments saved by `state()` (values as float32 arrays with their shapes). */
  load(step: number, m: ReadonlyMap<string, tf.Tensor>, v: ReadonlyMap<string, tf.Tensor>): void {
    this.step = step;
    for (const [name, t] of m) this.slot(this.m, name, t).assign(t);
    for (const [name, t] of v) this.slot(this.v, name, t).assign(t);
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Scales all gradients so their global L2 norm is at most `maxNorm` (0 = no clipping). Returns the norm before. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(
    () => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0] ?? 0,
  );
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return norm;
}

export interface Schedule {
  kind: 'linear' | 'constant' | 'cosine';
  warmupSteps: number;
  totalSteps: number;
  peak: number;
}

/** Learning rate before update number `step` (0-based): linear warmup to `peak`, then the chosen decay to 0. */
export function learningRateAt(step: number, s: Schedule): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peak;
  const decaySteps = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / decaySteps);
  if (s.kind === 'cosine') return s.peak * 0.5 * (1 + Math.cos(Math.PI * progress));
  return s.peak * (1 - progress);
}
