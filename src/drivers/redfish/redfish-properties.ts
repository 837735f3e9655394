// driver_info keys read by every redfish interface (Ironic's redfish/utils.py COMMON_PROPERTIES).
import type { PropertySpec, ValidationContext } from '../interfaces.js';
import { parseRedfishSettings } from './redfish-settings.js';

export const REDFISH_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  redfish_address: {
    description: 'Where the BMC\'s Redfish service is: a host name or address, optionally with a scheme (https when left out) and a port, '
      + 'e.g. https://10.0.0.5:8443. No path. Required.',
    required: true,
  },
  redfish_system_id: {
    description: 'Path of this node\'s ComputerSystem, e.g. /redfish/v1/Systems/1 (a bare member id is accepted too). Optional when the '
      + 'service lists exactly one system.',
  },
  redfish_username: { description: 'BMC account name (it needs the rights to reset the system and change its boot settings). Optional.' },
  redfish_password: { description: 'Password of redfish_username. Optional. Never shown by the API.' },
  redfish_verify_ca: {
    description: 'TLS certificate check of the BMC: true (default; the system\'s trusted CAs), false (no check; testing only), or the path of '
      + 'a PEM file or of a directory of PEM files with the CAs to trust instead. Optional.',
  },
  redfish_auth_type: {
    description: 'How to authenticate: "session" (log in once, reuse the X-Auth-Token), "basic" (credentials on every request) or "auto" '
      + '(default: session when the service offers a session service, else basic). Optional.',
  },
};

/** Cheap checks of every key; no BMC traffic. @throws MissingParameterValueError / InvalidParameterValueError */
export function validateRedfishInfo({ node }: ValidationContext): void {
  parseRedfishSettings(node.driverInfo);
}
