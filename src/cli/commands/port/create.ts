// `baremetal port create`: POST /v1/ports for a MAC address on a node.

import type { Command } from 'commander';
import { collect, keyValuePairsToDict } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { PORT_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, withFields } from '../common.js';

interface PortCreateOptions {
  node: string;
  uuid?: string;
  name?: string;
  extra?: string[];
  localLinkConnection?: string[];
  l?: string[];
  pxeEnabled?: string;
  portGroup?: string;
  physicalNetwork?: string;
  isSmartnic?: boolean;
}

export function registerPortCreate(port: Command, rt: Runtime): void {
  const cmd = port
    .command('create')
    .description('Create a new port')
    .argument('<address>', 'MAC address for this port.')
    .requiredOption('--node <uuid>', 'UUID of the node that this port belongs to.')
    .option('--uuid <uuid>', 'UUID of the port.')
    .option('--name <name>', 'Name of the port (API 1.88).')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata (repeatable).', collect)
    .option('--local-link-connection <key=value>', 'Local link connection information (repeatable).', collect)
    .option('-l <key=value>', 'DEPRECATED: use --local-link-connection.', collect)
    .option('--pxe-enabled <boolean>', 'Indicates whether this port should be used when PXE booting.')
    .option('--port-group <uuid>', 'UUID of the port group that this port belongs to.')
    .option('--physical-network <physical network>', 'Name of the physical network this port is connected to.')
    .option('--is-smartnic', 'Indicates whether this port is a Smart NIC port');
  addShowOutputOptions(cmd, rt).action(async (address: string, opts: PortCreateOptions, self: Command) => {
    let llc = opts.localLinkConnection;
    if (opts.l) {
      rt.warn('Please use --local-link-connection instead of -l, as it is deprecated and will be removed in future releases.');
      llc = [...(llc ?? []), ...opts.l];
    }
    // Same key order as the stock client's request body.
    const body: Record<string, JsonValue> = { address, node_uuid: opts.node };
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    if (opts.extra && opts.extra.length > 0) body.extra = keyValuePairsToDict(opts.extra);
    if (llc && llc.length > 0) body.local_link_connection = keyValuePairsToDict(llc);
    // Sent as typed ("true"/"false"): the API parses boolean strings itself.
    if (opts.pxeEnabled !== undefined) body.pxe_enabled = opts.pxeEnabled;
    if (opts.portGroup !== undefined) body.portgroup_uuid = opts.portGroup;
    if (opts.physicalNetwork !== undefined) body.physical_network = opts.physicalNetwork;
    if (opts.isSmartnic) body.is_smartnic = true;
    if (opts.name !== undefined) body.name = opts.name;
    const { body: created } = await rt.client(self).post('/v1/ports', body);
    const portObj = (created ?? {}) as Record<string, unknown>;
    // The stock client prints a fixed field set ('' when absent); newer fields only when present.
    const shown = withFields(portObj, PORT_DETAILED.fields);
    for (const f of ['name', 'description', 'vendor', 'category']) if (f in portObj) shown[f] = portObj[f];
    printObject(rt, self, shown);
  });
}
