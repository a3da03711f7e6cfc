import { describe, expect, it } from 'vitest';
import { renderCsv } from './csv.js';

describe('CSV', () => {
  it('quotes only cells with a comma, quote or line break (quotes doubled), and leaves absent values empty', () => {
    expect(renderCsv(['name', 'value', 'note'], [
      ['conv1', 1.5, 'a,b'],
      ['fc "last"', null, 'two\nlines'],
      ['pool', undefined, ''],
    ])).toBe(['name,value,note', 'conv1,1.5,"a,b"', '"fc ""last""",,"two\nlines"', 'pool,,'].join('\n'));
  });
});
