/**
 * What happened to a model, as `git log` tells it (src/git/history.ts reads it): the event shapes shared
 * by `modelreg history`, the library API and the site.
 */
export type HistoryKind = 'model-created' | 'model-updated' | 'registered' | 'modified' | 'deleted' | 'deprecated' | 'undeprecated' | 'promoted' | 'rolled-back' | 'stage-removed';

export interface HistoryEvent {
  kind: HistoryKind;
  model: string;
  version?: string;
  stage?: string;
  /** For stage events: the version that held the stage before. */
  previous?: string | null;
  /** For promotions and rollbacks: who the stage file says moved it, and why. */
  movedBy?: string;
  reason?: string;
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
}
