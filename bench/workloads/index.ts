// Every workload group, in the order `npm run bench` runs them. Add new groups here.
import { apiGroup } from './api.js';
import { deployGroup } from './deploy.js';
import { imagesGroup } from './images.js';
import { powerSyncGroup } from './power-sync.js';
import { provisionGroup } from './provision.js';
import type { WorkloadGroup } from './types.js';

export const GROUPS: readonly WorkloadGroup[] = [apiGroup, imagesGroup, provisionGroup, powerSyncGroup, deployGroup];
