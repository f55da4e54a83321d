// Layer matches as data (TextBrewer style): which teacher layer teaches which student layer, and what.
// Layer 0 is the embedding output; 1..N are transformer layers.
import type { LayerMappingSpec, LayerPair } from '../protocol/config';

/** A resolved teacher/student layer match. */
export interface LayerMatch {
  teacherLayer: number;
  studentLayer: number;
  feature: 'hidden' | 'attention' | 'both';
  weight: number;
}

/**
 * Resolves a mapping spec for the given depths. `uniform` is TinyBERT's g(m) = m * N/M, rounded when the depths
 * do not divide (a deeper student then shares teacher layers); `last` aligns the top layers.
 * Does not validate: see `layerMappingProblems`.
 */
export function resolveLayerMapping(
  spec: LayerMappingSpec | undefined,
  teacherLayers: number,
  studentLayers: number,
): LayerMatch[] {
  const strategy = spec?.strategy ?? 'uniform';
  if (strategy === 'explicit') {
    return (spec?.pairs ?? []).map((pair: LayerPair) => ({
      teacherLayer: pair.teacherLayer,
      studentLayer: pair.studentLayer,
      feature: pair.feature ?? 'both',
      weight: pair.weight ?? 1,
    }));
  }
  const matches: LayerMatch[] = [];
  for (let m = 1; m <= studentLayers; m++) {
    const teacherLayer =
      strategy === 'last'
        ? teacherLayers - studentLayers + m
        : Math.max(1, Math.round((m * teacherLayers) / studentLayers));
    matches.push({ teacherLayer, studentLayer: m, feature: 'both', weight: 1 });
  }
  return matches;
}

/** One problem with a mapping, with the index of the offending explicit pair when there is one. */
export interface LayerMappingProblem {
  pairIndex?: number;
  field?: 'teacherLayer' | 'studentLayer' | 'feature';
  message: string;
}

/** Checks a mapping against the real depths of both models. */
export function layerMappingProblems(
  spec: LayerMappingSpec | undefined,
  teacherLayers: number,
  studentLayers: number,
): LayerMappingProblem[] {
  const problems: LayerMappingProblem[] = [];
  const strategy = spec?.strategy ?? 'uniform';
  if (strategy === 'explicit' && (spec?.pairs ?? []).length === 0) {
    problems.push({
      message:
        'strategy "explicit" needs "pairs": add { "teacherLayer": N, "studentLayer": M } entries, or use "uniform".',
    });
  }
  if (strategy === 'last' && studentLayers > teacherLayers) {
    problems.push({
      message: `strategy "last" needs a student no deeper than the teacher (student ${studentLayers} layers, teacher ${teacherLayers}); use "uniform" or explicit pairs.`,
    });
  }
  if (strategy !== 'explicit') return problems;
  (spec?.pairs ?? []).forEach((pair, pairIndex) => {
    if (pair.teacherLayer > teacherLayers) {
      problems.push({
        pairIndex,
        field: 'teacherLayer',
        message: `teacherLayer ${pair.teacherLayer} does not exist: the teacher has layers 0 (embeddings) to ${teacherLayers}.`,
      });
    }
    if (pair.studentLayer > studentLayers) {
      problems.push({
        pairIndex,
        field: 'studentLayer',
        message: `studentLayer ${pair.studentLayer} does not exist: the student has layers 0 (embeddings) to ${studentLayers}.`,
      });
    }
    const feature = pair.feature ?? 'both';
    if (feature !== 'hidden' && (pair.teacherLayer === 0 || pair.studentLayer === 0)) {
      problems.push({
        pairIndex,
        field: 'feature',
        message: `layer 0 is the embedding output and has no attention: set "feature": "hidden" for this pair.`,
      });
    }
  });
  return problems;
}
