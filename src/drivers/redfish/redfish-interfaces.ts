// The redfish interfaces the hardware types list: each talks to the node's BMC through one shared
// connection per BMC (redfish-client.ts), so a session made by one call serves the next.
import { createRedfishManagement } from './management.js';
import { createRedfishPower } from './power.js';

export const RedfishPower = createRedfishPower();
export const RedfishManagement = createRedfishManagement();
export { RedfishBios } from './bios.js';
export { RedfishInspect } from './inspect.js';
export { RedfishVirtualMediaBoot } from './vmedia-boot.js';
