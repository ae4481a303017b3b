// What the experiment runner (run.ts) and its workers (worker.ts) tell each other, and the records
// written into docs/results/*.json.
import type { Epoch } from '../../examples/training/methods.js';
import type { DatasetName } from './datasets.js';
import type { ObjectShare } from './on_object.js';
import type { RunSpec } from './plan.js';

/** One finished run. */
export interface RunRecord extends RunSpec {
  labelMode: 'area';
  /** The chance that a sample is mixed. */
  prob: number;
  epochs: Epoch[];
  /** Seconds per training epoch, the mean; and the whole run with its evaluations. */
  secondsPerEpoch: number;
  totalSeconds: number;
  /** attentive-cam: the mean epoch with the CAM minus the mean cutMix warm-up epoch (the CAM's cost). */
  camSecondsPerEpoch?: number;
  /** The teacher's maps over the training split, when this run's worker computed them. */
  teacherMapsSeconds?: number;
}

/** The teacher of a dataset. */
export interface TeacherRecord {
  seed: number;
  /** How many images it trained on (none of the student's or the validation split's), for how many epochs. */
  images: number;
  epochs: number;
  /** Where its model.json and weights.bin are. */
  folder: string;
  trainSeconds: number;
  losses: number[];
  valAccuracy: number;
  testAccuracy: number;
}

/** Where each source's pasted cells fall, on a dataset that knows its objects' boxes (on_object.ts). */
export interface OnObjectRecord {
  /** The student's training images, each as the partner whose cells are pasted. */
  images: number;
  grid: number;
  topN: number;
  /** The garment's box's share of the image, the mean over the images: what a paste placed without looking carries on average. */
  boxShare: number;
  /** The teacher's most and least attended cells, the built-in saliency's, and uniformly random ones (one draw per image). */
  sources: { teacher: ObjectShare; 'teacher-least': ObjectShare; saliency: ObjectShare; random: ObjectShare };
  /** The teacher's most attended cells at each N the plan pastes (the main comparison's and the ablation's), by N. */
  teacherByTopN: (ObjectShare & { topN: number })[];
  seconds: number;
}

export type ToWorker = { type: 'teacher'; folder: string; seed: number } | { type: 'run'; spec: RunSpec; teacherFolder?: string } | { type: 'on-object'; teacherFolder: string; topN: number; topNs: number[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; text: string }
  | { type: 'teacher-done'; teacher: TeacherRecord }
  | { type: 'run-done'; run: RunRecord }
  | { type: 'on-object-done'; onObject: OnObjectRecord }
  | { type: 'error'; message: string };

/** A results file, docs/results/<dataset>.json. */
export interface Results {
  dataset: DatasetName;
  command: string;
  /** What decides the numbers (a file of other settings is not resumed), and `machine`, which does not. */
  settings: Record<string, unknown>;
  teacher: TeacherRecord | null;
  /** Where the pasted cells fall, for a dataset that knows its objects' boxes, once the teacher is trained. */
  onObject?: OnObjectRecord;
  runs: RunRecord[];
}
