// Everything conductor code needs, passed explicitly.
import type { Config } from '../common/config.js';
import type { Tables } from '../db/tables.js';
import type { ConductorImages } from '../images/agent-images.js';
import type { BackgroundWork } from './background-work.js';
import type { BootServices } from './boot-environment.js';
import type { NodeEventFeed } from './node-events.js';
import type { ConductorRegistry } from './registry.js';

export interface ConductorContext {
  readonly tables: Tables;
  readonly config: Config;
  readonly registry: ConductorRegistry;
  readonly work: BackgroundWork;
  /** Image cache and image server for agents; absent in contexts built without them (unit tests). */
  readonly images?: ConductorImages;
  /** Network boot roots, DHCP provider and the drivers' environment (startBootServices); absent in unit-test contexts. */
  readonly boot?: BootServices;
  /** Live feed of node changes for watchers (the dashboard); absent where nothing watches (unit tests). */
  readonly events?: NodeEventFeed;
}
