// The ipmitool power, management and vendor interfaces as declared to the API. The BMC calls themselves
// (power on/off, boot device) are added by the conductor work on top of these declarations.
import { defineInterface } from '../interfaces.js';
import { IPMI_PROPERTIES, validateIpmiInfo } from './ipmitool-properties.js';

export const IpmitoolPower = defineInterface({ kind: 'power', name: 'ipmitool', properties: IPMI_PROPERTIES, validate: validateIpmiInfo });
export const IpmitoolManagement = defineInterface({ kind: 'management', name: 'ipmitool', properties: IPMI_PROPERTIES, validate: validateIpmiInfo });
export const IpmitoolVendor = defineInterface({ kind: 'vendor', name: 'ipmitool', properties: IPMI_PROPERTIES, validate: validateIpmiInfo });
