// driver_info keys read by the ipmitool power, management and vendor interfaces.
import type { PropertySpec, ValidationContext } from '../interfaces.js';
import { parseIpmiSettings } from './ipmitool-args.js';

export const IPMI_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  ipmi_address: { description: 'Host name or IP address of the BMC. Required.', required: true },
  ipmi_port: { description: 'UDP port of the BMC (RMCP). Optional; ipmitool uses 623 when unset.' },
  ipmi_username: { description: 'BMC user name. Optional; the anonymous (NULL) user when unset.' },
  ipmi_password: { description: 'BMC password. Optional. Never shown by the API.' },
  ipmi_priv_level: { description: 'Privilege level for the session: ADMINISTRATOR (default), OPERATOR, USER or CALLBACK. Optional.' },
  ipmi_protocol_version: { description: 'IPMI protocol version, "2.0" (default, lanplus) or "1.5" (lan). Optional.' },
  ipmi_cipher_suite: { description: 'Cipher suite number for IPMI 2.0 sessions; 17 (AES-128, SHA256) or 3 (AES-128, SHA1) are recommended. Optional.' },
  ipmi_hex_kg_key: { description: 'BMC key (Kg) in hexadecimal for IPMI 2.0 authentication. Optional. Never shown by the API. Handed to ipmitool through its environment; a key with a zero byte inside can only be passed on the command line (visible in the process list).' },
  ipmi_bridging: { description: 'Bridging mode: "no" (default), "single" or "dual". Optional.' },
  ipmi_transit_channel: { description: 'Transit channel for bridged requests; needed when ipmi_bridging is "dual".' },
  ipmi_transit_address: { description: 'Transit address for bridged requests; needed when ipmi_bridging is "dual".' },
  ipmi_target_channel: { description: 'Target channel for bridged requests; needed when ipmi_bridging is "single" or "dual".' },
  ipmi_target_address: { description: 'Target address for bridged requests; needed when ipmi_bridging is "single" or "dual".' },
  ipmi_local_address: { description: 'Local IPMB address for bridged requests. Optional.' },
  ipmi_terminal_port: { description: 'TCP port for the serial console. Optional.' },
  ipmi_force_boot_device: { description: 'Set the boot device again at every power on, for BMCs that forget it. Default false. Optional.' },
  ipmi_command_timeout: { description: 'Seconds one ipmitool run may take before it is killed and retried. Default 15. Optional.' },
  ipmi_command_retry_timeout: { description: 'Seconds during which an unanswered or busy BMC is retried before the action fails (a wrong password fails at once). Default 60. Optional.' },
  ipmi_disable_boot_timeout: { description: 'Send the command that disables the BMC\'s 60-second boot-flag timeout. Default true. Optional.' },
};

/**
 * Cheap checks of every key (types, ranges, bridging completeness, Kg format); no BMC traffic.
 * @throws MissingParameterValueError / InvalidParameterValueError with a reason safe to show.
 */
export function validateIpmiInfo({ node }: ValidationContext): void {
  parseIpmiSettings(node.driverInfo);
}
