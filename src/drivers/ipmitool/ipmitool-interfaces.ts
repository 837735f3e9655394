// The ipmitool interfaces the hardware types list: power and management talk to the BMC through
// ipmitool-client.ts; vendor passthru is declared (its driver_info keys are validated) but has no methods yet.
import { defineInterface } from '../interfaces.js';
import { IPMI_PROPERTIES, validateIpmiInfo } from './ipmitool-properties.js';
import { createIpmitoolPower } from './power.js';
import { createIpmitoolManagement } from './management.js';

export const IpmitoolPower = createIpmitoolPower();
export const IpmitoolManagement = createIpmitoolManagement();
export const IpmitoolVendor = defineInterface({ kind: 'vendor', name: 'ipmitool', properties: IPMI_PROPERTIES, validate: validateIpmiInfo });
