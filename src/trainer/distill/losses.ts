// Distillation losses as pure tensor functions (TextBrewer style): soft labels (Hinton et al. 2015), hard labels,
// hidden states and attention maps of mapped layers (TinyBERT, Jiao et al. 2020; MobileBERT, Sun et al. 2020),
// feature-map mean/variance transfer and masked-LM distillation. Padding never contributes: every loss averages
// over the valid positions only. Shapes: B batch, T sequence, C classes, D width, H heads.
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../models/nn';

/**
 * Soft-label loss. `kl`: KL(teacher_T || student_T) * T^2, averaged over the batch (Hinton et al.: the T^2 keeps
 * gradient magnitudes comparable across temperatures). `mse`: mean squared error of the raw logits.
 * `weights` [B] (1 = row counts) lets unlabelled and labelled rows share a batch.
 */
export function softLabelLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number,
  kind: 'kl' | 'mse' = 'kl',
  weights?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    let perRow: tf.Tensor1D;
    if (kind === 'mse') {
      perRow = tf.mean(tf.squaredDifference(studentLogits, teacherLogits), -1) as tf.Tensor1D; // [B, C] -> [B]
    } else {
      const teacherLogProbs = tf.logSoftmax(tf.div(teacherLogits, temperature), -1);
      const studentLogProbs = tf.logSoftmax(tf.div(studentLogits, temperature), -1);
      const kl = tf.sum(tf.mul(tf.exp(teacherLogProbs), tf.sub(teacherLogProbs, studentLogProbs)), -1); // [B, C] -> [B]
      perRow = tf.mul(kl, temperature * temperature) as tf.Tensor1D;
    }
    return weightedMean(perRow, weights);
  });
}

/** Cross-entropy with gold label ids [B]; rows with weight 0 (unlabelled) do not count. */
export function hardLabelLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1); // [B, C]
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), -1); // [B]
    return weightedMean(tf.neg(picked) as tf.Tensor1D, weights);
  });
}

/** Mean of `values` [B] weighted by `weights` [B]; 0 when every weight is 0. */
function weightedMean(values: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  if (weights === undefined) return tf.mean(values) as tf.Scalar;
  const total = tf.sum(weights);
  return tf.div(tf.sum(tf.mul(values, weights)), tf.maximum(total, 1e-12)) as tf.Scalar;
}

/** [B, T] attention mask -> float [B, T, 1] for broadcasting over the feature axis. */
function positionMask(mask: tf.Tensor2D): tf.Tensor3D {
  return tf.cast(mask, 'float32').expandDims(-1) as tf.Tensor3D;
}

/**
 * Hidden-state loss between mapped layers. `projection` [Dt, Ds] (a Linear in PyTorch layout) maps the student's
 * width to the teacher's when they differ (TinyBERT's W_h). `mse`: mean over valid positions and features;
 * `cosine`: mean over valid positions of 1 - cos(student, teacher).
 */
export function hiddenLoss(
  studentHidden: tf.Tensor3D,
  teacherHidden: tf.Tensor3D,
  mask: tf.Tensor2D,
  kind: 'mse' | 'cosine' = 'mse',
  projection?: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    let student: tf.Tensor = studentHidden;
    if (projection !== undefined) {
      const [b, t, ds] = studentHidden.shape;
      student = matMul(studentHidden.reshape([b * t, ds]), tf.transpose(projection)).reshape([
        b,
        t,
        projection.shape[0],
      ]); // [B,T,Ds] -> [B,T,Dt]
    }
    if (student.shape[2] !== teacherHidden.shape[2]) {
      throw new Error(
        `hidden loss: student width ${student.shape[2]} != teacher width ${teacherHidden.shape[2]} and no projection`,
      );
    }
    const m = positionMask(mask); // [B, T, 1]
    const validPositions = tf.maximum(tf.sum(m), 1);
    if (kind === 'cosine') {
      const dot = tf.sum(tf.mul(student, teacherHidden), -1, true); // [B, T, 1]
      const norms = tf.mul(
        tf.norm(student, 'euclidean', -1, true),
        tf.norm(teacherHidden, 'euclidean', -1, true),
      );
      const cos = tf.div(dot, tf.maximum(norms, 1e-8));
      return tf.div(tf.sum(tf.mul(tf.sub(1, cos), m)), validPositions) as tf.Scalar;
    }
    const width = teacherHidden.shape[2];
    return tf.div(
      tf.sum(tf.mul(tf.squaredDifference(student, teacherHidden), m)),
      tf.mul(validPositions, width),
    ) as tf.Scalar;
  });
}

export type HeadMapping = 'none' | 'mean' | 'group';

/**
 * Brings teacher and student attention [B, H, T, T] to the same head count: `none` requires equal counts, `mean`
 * averages all heads on both sides ([B, 1, T, T]), `group` averages consecutive groups of Ht/Hs teacher heads.
 */
export function mapHeads(
  student: tf.Tensor4D,
  teacher: tf.Tensor4D,
  mode: HeadMapping,
): [tf.Tensor4D, tf.Tensor4D] {
  const hs = student.shape[1];
  const ht = teacher.shape[1];
  if (mode === 'mean')
    return [tf.mean(student, 1, true) as tf.Tensor4D, tf.mean(teacher, 1, true) as tf.Tensor4D];
  if (mode === 'group') {
    if (ht % hs !== 0)
      throw new Error(`headMapping "group": ${ht} teacher heads are not a multiple of ${hs} student heads`);
    const [b, , t, k] = teacher.shape;
    const grouped = tf.mean(teacher.reshape([b, hs, ht / hs, t, k]), 2) as tf.Tensor4D; // [B, Ht, T, T] -> [B, Hs, T, T]
    return [student, grouped];
  }
  if (hs !== ht)
    throw new Error(`attention loss: ${hs} student heads vs ${ht} teacher heads need a headMapping`);
  return [student, teacher];
}

/**
 * Attention loss between mapped layers. `mse`: MSE of probabilities; `kl`: KL(teacher || student) per query row,
 * summed over keys (MobileBERT); `mse-scores`: MSE of pre-softmax scores (TinyBERT). Only valid query rows and
 * valid keys count, so padding and masked-score sentinels never enter the loss.
 */
export function attentionLoss(
  student: tf.Tensor4D,
  teacher: tf.Tensor4D,
  mask: tf.Tensor2D,
  kind: 'mse' | 'kl' | 'mse-scores',
  mode: HeadMapping = 'none',
): tf.Scalar {
  return tf.tidy(() => {
    const [s, t] = mapHeads(student, teacher, mode);
    const [b, h, len] = s.shape;
    const m = tf.cast(mask, 'float32');
    const rows = m.reshape([b, 1, len, 1]); // valid queries
    const keys = m.reshape([b, 1, 1, len]); // valid keys
    const pairMask = tf.mul(rows, keys); // [B, 1, T, T]
    const validRows = tf.mul(tf.sum(m), h);
    if (kind === 'kl') {
      const eps = 1e-12;
      const kl = tf.mul(t, tf.sub(tf.log(tf.add(t, eps)), tf.log(tf.add(s, eps)))); // [B, H, T, T]
      return tf.div(tf.sum(tf.mul(kl, pairMask)), tf.maximum(validRows, 1)) as tf.Scalar;
    }
    const validPairs = tf.mul(tf.sum(tf.mul(m.reshape([b, len, 1]), m.reshape([b, 1, len]))), h);
    return tf.div(
      tf.sum(tf.mul(tf.squaredDifference(s, t), pairMask)),
      tf.maximum(validPairs, 1),
    ) as tf.Scalar;
  });
}

/**
 * MobileBERT-style feature-map statistics transfer: per valid position, the squared differences of the mean and
 * of the variance over the feature axis. (The paper transfers feature maps and, optionally, their statistics; the
 * exact statistic loss is our reading of it.)
 */
export function featureMapLoss(
  studentHidden: tf.Tensor3D,
  teacherHidden: tf.Tensor3D,
  mask: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const s = tf.moments(studentHidden, -1, true);
    const t = tf.moments(teacherHidden, -1, true);
    const per = tf.add(tf.squaredDifference(s.mean, t.mean), tf.squaredDifference(s.variance, t.variance)); // [B, T, 1]
    const m = positionMask(mask);
    return tf.div(tf.sum(tf.mul(per, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}

/**
 * Masked-LM distillation at masked positions only: logits [N, V] gathered at the N masked tokens (full-vocabulary
 * logits at every position would waste memory). KL at temperature T times T^2, plus optional hard CE.
 */
export function maskedLmLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number,
  targets?: tf.Tensor1D,
  hardWeight = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const soft = softLabelLoss(studentLogits, teacherLogits, temperature, 'kl');
    if (targets === undefined || hardWeight <= 0) return soft;
    return tf.add(soft, tf.mul(hardLabelLoss(studentLogits, targets), hardWeight)) as tf.Scalar;
  });
}
