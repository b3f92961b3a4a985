// Generated documentation must match the registries: run `npm run gen` after a change.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manPage, updateReadme } from '../../src/cli/gen-docs.js';
import { mainHelp, helpTopic } from '../../src/cli/help.js';
import { operatorList } from '../../src/operators/index.js';
import { functionList } from '../../src/lang/functions.js';
import { aggregateList } from '../../src/aggregates/index.js';
import { optionTable } from '../../src/cli/options.js';

const root = new URL('../../', import.meta.url);

describe('generated docs', () => {
  it('man/sluice.1 is up to date (npm run gen)', () => {
    expect(readFileSync(new URL('man/sluice.1', root), 'utf8')).toBe(manPage());
  });
  it('the README tables (stages, formats, exit status) are up to date (npm run gen)', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toBe(updateReadme(readme));
  });
  it('npm installs the manual (package.json man), so `man sluice` works after npm install -g', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { man: string[]; files: string[] };
    expect(pkg.man).toEqual(['./man/sluice.1']);
    expect(pkg.files).toContain('man');
  });
  it('the README opens with the two commands', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const block = /```sh\n([^`]*)```/.exec(readme)![1]!.trim().split('\n');
    expect(block).toHaveLength(2);
    expect(block[0]).toMatch(/^npm install && npx sluice '.+' fixtures\//);
    expect(block[1]).toBe('npm test');
  });
  it('--help names every stage and option; help OP works for each', () => {
    const help = mainHelp();
    for (const op of operatorList) {
      expect(help).toContain(op.usage);
      expect(helpTopic(op.name).replace(/\s+/g, ' ')).toContain(op.description.slice(0, 30));
    }
    for (const o of optionTable) expect(help).toContain(o.flags);
    for (const f of functionList) expect(helpTopic(f.name)).toContain(f.usage);
    for (const a of aggregateList) expect(helpTopic(a.name)).toContain(a.usage);
  });
});
