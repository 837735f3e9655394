// DHCP provider `none`: boot answers are configured by hand on some other DHCP server, so nothing is written.
import type { DhcpProvider } from '../interfaces.js';

export const NoneDhcp: DhcpProvider = Object.freeze({
  name: 'none',
  async updatePorts(): Promise<void> {},
  async cleanNode(): Promise<void> {},
  async forgetMacs(): Promise<void> {},
});
