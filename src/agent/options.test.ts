import { describe, expect, it } from 'vitest';
import { parseCmdline } from './cmdline.js';
import { agentProgram, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('takes flags over kernel parameters over defaults', () => {
    const k = parseCmdline('ipa-api-url=http://10.0.0.1:6385 BOOTIF=01-52-54-00-12-34-56 ipa-insecure=1 anvil-min-disk-size=1G ipa-listen-port=9000');
    const o = resolveOptions(agentProgram().parse(['node', 'anvil-agent'], { from: 'node' }).opts(), k);
    expect(o).toMatchObject({ apiUrls: ['http://10.0.0.1:6385'], bootif: '52:54:00:12:34:56', insecure: true, minDiskBytes: 2 ** 30, listenPort: 9000, advertisePort: 9000, tls: true });
    const f = resolveOptions(agentProgram().parse(['node', 'anvil-agent', '--min-disk-size', '64M', '--no-tls', '--block-device', '/dev/a', '--block-device', '/dev/b'], { from: 'node' }).opts(), k);
    expect(f).toMatchObject({ minDiskBytes: 64 * 2 ** 20, tls: false, blockDevices: ['/dev/a', '/dev/b'] });
    expect(resolveOptions(agentProgram().parse(['node', 'anvil-agent'], { from: 'node' }).opts(), parseCmdline('ipa-api-url=http://x')).minDiskBytes).toBe(4 * 2 ** 30);
    expect(() => resolveOptions(agentProgram().parse(['node', 'anvil-agent'], { from: 'node' }).opts(), parseCmdline('quiet'))).toThrow(/no API URL/);
  });
});
