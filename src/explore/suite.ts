import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { locatedError, readSourceFile, zodIssueError } from '../util/source-file.js';

/**
 * A weighted workload suite (YAML): a list of `{model, weight}`, where a model
 * is a zoo name, an .onnx file (relative to the suite file) or a layer spec
 * (`conv:K=16,…`). A design's latency and energy over the suite are the
 * weighted sums of its per-workload figures, so a weight says how often that
 * workload runs (or how much it matters) relative to the others.
 */
const SUITE_HINT = 'write a list of entries like `- {model: resnet18, weight: 2}`';

const suiteSchema = z
  .array(
    z
      .object({
        model: z.string().min(1),
        /** Relative weight (> 0) of this workload in the weighted sums. */
        weight: z.number().positive(),
      })
      .strict(),
  )
  .min(1);

export interface SuiteEntry {
  model: string;
  weight: number;
}

/** Reads and checks a suite file; .onnx paths are resolved against the suite file's folder. */
export function loadSuite(file: string): SuiteEntry[] {
  const src = readSourceFile(file, 'bad-input');
  const parsed = suiteSchema.safeParse(src.value);
  if (!parsed.success) throw zodIssueError(parsed.error, src, 'bad-input', SUITE_HINT);
  const seen = new Set<string>();
  return parsed.data.map((e, i) => {
    if (seen.has(e.model)) throw locatedError('bad-input', `model '${e.model}' appears twice`, src, [i, 'model'], 'give it once, with the two weights added');
    seen.add(e.model);
    const onnx = /\.onnx$/i.test(e.model) && !isAbsolute(e.model);
    return { model: onnx ? join(dirname(file), e.model) : e.model, weight: e.weight };
  });
}
