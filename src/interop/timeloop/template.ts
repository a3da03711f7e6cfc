import type nunjucks from 'nunjucks';
import { AccelmapError } from '../../util/errors.js';
import { lazyPackage } from '../../util/lazy-package.js';

/**
 * Jinja2-templated Timeloop files (timeloopfe renders them before reading):
 * a file holding `{{ … }}` or `{% … %}` is rendered with nunjucks, a
 * Jinja2-compatible engine, with Python's True, False and None defined and no
 * other variables, so that `{{ x|default(8) }}` takes its default. A template
 * that cannot be rendered (timeloopfe's include(), an unknown filter) is
 * refused in one line naming the file.
 */
const engine = lazyPackage<typeof nunjucks>('nunjucks');
let env: nunjucks.Environment | undefined;
const PYTHON = { True: true, False: false, None: null };

export function isTemplate(text: string): boolean {
  return /\{\{|\{%/.test(text);
}

export function renderTemplate(text: string, file: string): string {
  try {
    env ??= new (engine().Environment)(null, { autoescape: false, throwOnUndefined: false, trimBlocks: false });
    return env.renderString(text, PYTHON);
  } catch (e) {
    const message = String((e as Error).message ?? e).replace(/\s+/g, ' ').replace(/^\(unknown path\)\s*/, '').replace(/^Error:\s*/, '').trim();
    throw new AccelmapError('bad-file', `cannot render the Jinja2 template: ${message}`, { file }, 'give the rendered file (e.g. timeloopfe\'s parsed-processed-input.yaml)');
  }
}
