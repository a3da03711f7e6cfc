import { silentProgress, type Progress } from '../util/progress.js';

/** Called with a one-line message as long work advances (e.g. `searched 12/53 distinct loop nests: …`). */
export type OnProgress = (message: string) => void;

/** The stages' internal progress sink, forwarding to a caller's callback (or to nothing). */
export function progressTo(onProgress: OnProgress | undefined): Progress {
  if (!onProgress) return silentProgress;
  return {
    update: (text) => onProgress(text),
    done: (text) => {
      if (text) onProgress(text);
    },
  };
}
