// The agent's interfaces as the hardware types list them: deploy (direct, ramdisk), inspect, rescue, RAID.
import { defineInterface } from '../interfaces.js';

export { DirectDeploy, RamdiskDeploy } from './agent-deploy.js';
export { AGENT_PROPERTIES } from './agent-validation.js';
export const AgentRaid = defineInterface({ kind: 'raid', name: 'agent', properties: {} });
