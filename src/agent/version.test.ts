import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from './version.js';

describe('agent version and launcher', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  it('reports the package version', () => {
    expect(AGENT_VERSION).toBe(pkg.version);
  });
  it('is a bin of the package whose launcher loads the compiled entry point', () => {
    expect(pkg.bin['anvil-agent']).toBe('bin/anvil-agent.js');
    expect(readFileSync(new URL('../../bin/anvil-agent.js', import.meta.url), 'utf8')).toContain("import '../dist/agent/main.js';");
  });
});
