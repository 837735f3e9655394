// `baremetal node vif list|attach|detach`: virtual network interfaces attached to a node (API 1.28).

import type { Command } from 'commander';
import { collect, keyValuePairsToDict } from '../../args.js';
import { CliError } from '../../errors.js';
import { rowOf, seg, type ApiObject } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import type { JsonValue } from '../../output/python-repr.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';
import { nodePath } from './shared.js';

export function registerVifCommands(node: Command, rt: Runtime): void {
  const vif = node.command('vif').description('Virtual interfaces attached to a node');
  const list = vif.command('list').description('Show attached VIFs for a node').argument('<node>', 'Name or UUID of the node');
  addListOutputOptions(list, rt).action(async (ident: string, _o: unknown, self: Command) => {
    const { body } = await rt.client(self).get(nodePath(ident, '/vifs'));
    const vifs = (body as { vifs?: unknown } | undefined)?.vifs;
    // The stock client drops empty entries before printing.
    const rows = (Array.isArray(vifs) ? vifs : []).filter((v) => v).map((v) => rowOf(v as ApiObject, ['id']));
    printRows(rt, self, ['ID'], rows);
  });

  vif
    .command('attach')
    .description('Attach VIF to a given node')
    .argument('<node>', 'Name or UUID of the node')
    .argument('<vif-id>', 'Name or UUID of the VIF to attach to a node.')
    .option('--port-uuid <port-uuid>', 'UUID of the baremetal port to attach the VIF to.')
    .option(
      '--vif-info <key=value>',
      "Record arbitrary key/value metadata. Can be specified multiple times. The mandatory 'id' parameter cannot be specified as a key.",
      collect,
    )
    .action(async (ident: string, vifId: string, o: { portUuid?: string; vifInfo?: string[] }, self: Command) => {
      const fields: Record<string, JsonValue> = keyValuePairsToDict(o.vifInfo);
      if (o.portUuid) fields.port_uuid = o.portUuid;
      if ('id' in fields) throw new CliError("The attribute 'id' can't be specified in vif-info");
      await rt.client(self).post(nodePath(ident, '/vifs'), { id: vifId, ...fields });
    });

  vif
    .command('detach')
    .description('Detach VIF from a given node')
    .argument('<node>', 'Name or UUID of the node')
    .argument('<vif-id>', 'Name or UUID of the VIF to detach from a node.')
    .action(async (ident: string, vifId: string, _o: unknown, self: Command) => {
      await rt.client(self).delete(nodePath(ident, `/vifs/${seg(vifId)}`));
    });
}
