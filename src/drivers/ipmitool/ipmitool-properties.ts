// driver_info keys read by the ipmitool power, management and vendor interfaces.
import { MissingParameterValueError, InvalidParameterValueError } from '../../common/errors.js';
import type { PropertySpec, ValidationContext } from '../interfaces.js';

export const IPMI_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  ipmi_address: { description: 'Host name or IP address of the BMC. Required.', required: true },
  ipmi_port: { description: 'UDP port of the BMC (RMCP). Optional; ipmitool uses 623 when unset.' },
  ipmi_username: { description: 'BMC user name. Optional; the anonymous (NULL) user when unset.' },
  ipmi_password: { description: 'BMC password. Optional. Never shown by the API.' },
  ipmi_priv_level: { description: 'Privilege level for the session: ADMINISTRATOR (default), OPERATOR, USER or CALLBACK. Optional.' },
  ipmi_protocol_version: { description: 'IPMI protocol version, "2.0" (default, lanplus) or "1.5" (lan). Optional.' },
  ipmi_cipher_suite: { description: 'Cipher suite number for IPMI 2.0 sessions; 17 (AES-128, SHA256) or 3 (AES-128, SHA1) are recommended. Optional.' },
  ipmi_hex_kg_key: { description: 'BMC key (Kg) in hexadecimal for IPMI 2.0 authentication. Optional. Never shown by the API.' },
  ipmi_bridging: { description: 'Bridging mode: "no" (default), "single" or "dual". Optional.' },
  ipmi_transit_channel: { description: 'Transit channel for bridged requests; needed when ipmi_bridging is "dual".' },
  ipmi_transit_address: { description: 'Transit address for bridged requests; needed when ipmi_bridging is "dual".' },
  ipmi_target_channel: { description: 'Target channel for bridged requests; needed when ipmi_bridging is "single" or "dual".' },
  ipmi_target_address: { description: 'Target address for bridged requests; needed when ipmi_bridging is "single" or "dual".' },
  ipmi_local_address: { description: 'Local IPMB address for bridged requests. Optional.' },
  ipmi_terminal_port: { description: 'TCP port for the serial console. Optional.' },
  ipmi_force_boot_device: { description: 'Set the boot device again at every power on, for BMCs that forget it. Default false. Optional.' },
  ipmi_disable_boot_timeout: { description: 'Send the command that disables the BMC\'s 60-second boot-flag timeout. Default true. Optional.' },
};

const PRIV_LEVELS = ['ADMINISTRATOR', 'CALLBACK', 'OPERATOR', 'USER'];

export function validateIpmiInfo({ node }: ValidationContext): void {
  const info = node.driverInfo;
  const missing = Object.entries(IPMI_PROPERTIES).filter(([k, s]) => s.required && (info[k] === undefined || info[k] === '')).map(([k]) => k);
  if (missing.length) {
    throw new MissingParameterValueError(`Missing the following IPMI credentials in node's driver_info: ${missing.join(', ')}.`);
  }
  const port = info.ipmi_port;
  if (port !== undefined && port !== null && !(Number.isInteger(Number(port)) && Number(port) > 0 && Number(port) < 65536)) {
    throw new InvalidParameterValueError(`IPMI port must be an integer between 1 and 65535, got ${JSON.stringify(port)}.`);
  }
  const priv = info.ipmi_priv_level;
  if (priv !== undefined && !PRIV_LEVELS.includes(String(priv))) {
    throw new InvalidParameterValueError(`Invalid privilege level value: ${String(priv)}; valid values are ${PRIV_LEVELS.join(', ')}.`);
  }
  const proto = info.ipmi_protocol_version;
  if (proto !== undefined && !['1.5', '2.0'].includes(String(proto))) {
    throw new InvalidParameterValueError(`Invalid IPMI protocol version value ${String(proto)}; supported versions are 1.5, 2.0.`);
  }
  const bridging = info.ipmi_bridging;
  if (bridging !== undefined && !['no', 'single', 'dual'].includes(String(bridging))) {
    throw new InvalidParameterValueError(`ipmi_bridging must be one of no, single, dual; got ${String(bridging)}.`);
  }
}
