// The vocabulary of hardware interfaces: the kinds a node is composed of, and what every implementation
// declares about itself (its name, the driver_info keys it reads, and a cheap validation).
import type { Config } from '../common/config.js';
import type { NodeRecord, PortRecord } from '../db/records.js';

/** Interface kinds in the order Ironic reports them, with the microversion that introduced each node field. */
export const INTERFACE_KINDS = {
  boot: 31, console: 31, deploy: 31, inspect: 31, management: 31, network: 20, power: 31, raid: 31,
  vendor: 31, storage: 33, rescue: 38, bios: 40, firmware: 86,
} as const satisfies Record<string, number>;
export type InterfaceKind = keyof typeof INTERFACE_KINDS;
export const KIND_NAMES = Object.keys(INTERFACE_KINDS) as InterfaceKind[];

export interface PropertySpec {
  readonly description: string;
  readonly required?: boolean;
}

/** What validation may look at: the node and facts the API already loaded. Must stay cheap (runs in API requests). */
export interface ValidationContext {
  readonly node: NodeRecord;
  readonly portCount: number;
  /** The node's boot interface boots it over the network (PXE/iPXE), so booting needs one of its ports. */
  readonly networkBoot: boolean;
  /** The service configuration (allowed file:// roots, checksum policy, …). */
  readonly config: Config;
}

export interface HardwareInterface {
  readonly kind: InterfaceKind;
  readonly name: string;
  /** driver_info keys this implementation reads, with help text; `required` ones are checked by validate. */
  readonly properties: Readonly<Record<string, PropertySpec>>;
  /** True for the `no-*` placeholders: validation reports the kind as unsupported. */
  readonly unsupported?: boolean;
  /**
   * Cheap checks only; runs inside API requests (node validate, and before actions). May be async for
   * local look-ups (a file:// image's real path), never for network calls.
   * @throws InvalidParameterValueError / MissingParameterValueError with a reason safe to show the user.
   */
  validate?(ctx: ValidationContext): void | Promise<void>;
}

export type PowerState = 'power on' | 'power off';
/** Targets a client may request (PUT /states/power). */
export type PowerTarget = 'power on' | 'power off' | 'rebooting' | 'soft power off' | 'soft rebooting';
export const POWER_TARGETS: readonly PowerTarget[] = ['power on', 'power off', 'rebooting', 'soft power off', 'soft rebooting'];

export type BootDevice = 'pxe' | 'disk' | 'cdrom' | 'bios' | 'safe' | 'wanboot' | 'iscsiboot' | 'floppy' | 'uefihttp';

/** What a driver call runs against: the node (with clear-text secrets) as stored when the call started. */
export interface DriverCall {
  readonly node: NodeRecord;
}

/** Power control of a BMC. Calls are made by the conductor while it holds the node's lock. */
export interface PowerInterface extends HardwareInterface {
  readonly kind: 'power';
  /** @throws PowerError (with a message safe to show: no secrets) when the BMC cannot be asked. */
  getPowerState(call: DriverCall): Promise<PowerState>;
  /**
   * Brings the machine to `target` and returns once the BMC reports the resulting state, or throws after
   * `timeoutS` seconds. `rebooting` = off-then-on (or a reset), `soft …` = ACPI request.
   */
  setPowerState(call: DriverCall, target: PowerTarget, opts?: { timeoutS?: number }): Promise<void>;
}

/** Boot device and other out-of-band management. */
export interface ManagementInterface extends HardwareInterface {
  readonly kind: 'management';
  supportedBootDevices(call: DriverCall): Promise<BootDevice[]>;
  /** Honors the node's boot mode (properties.capabilities boot_mode:uefi|bios) for the EFI flag. */
  setBootDevice(call: DriverCall, device: BootDevice, opts?: { persistent?: boolean }): Promise<void>;
  /** `bootDevice` null when the BMC does not say. */
  getBootDevice(call: DriverCall): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }>;
  injectNmi?(call: DriverCall): Promise<void>;
}

export function defineInterface<T extends HardwareInterface>(impl: T): T {
  return Object.freeze(impl);
}

// ---- Optional capabilities (node sub-resources). An implementation that lacks one makes the matching
// API call answer UnsupportedDriverExtension; all are called by the conductor on behalf of one node.

/** Ironic's indicator states; UNKNOWN is only ever reported, never requested. */
export type IndicatorState = 'ON' | 'OFF' | 'BLINKING' | 'UNKNOWN';
export const INDICATOR_STATES: readonly IndicatorState[] = ['ON', 'OFF', 'BLINKING', 'UNKNOWN'];

export interface IndicatorInfo {
  readonly readonly: boolean;
  readonly states: readonly IndicatorState[];
}

/** Indicator LEDs by hardware component (`system`, `chassis`, `disk`…), as Ironic's management interface has them. */
export interface IndicatorSupport {
  /** component -> indicator name -> what it can do. Cheap enough to call without the node lock. */
  supported(call: DriverCall): Promise<Record<string, Record<string, IndicatorInfo>>>;
  /** @throws InvalidParameterValueError for an unknown component or indicator. */
  getState(call: DriverCall, component: string, indicator: string): Promise<IndicatorState>;
  /** Runs holding the node lock. @throws InvalidParameterValueError for unknown names, read-only indicators or states. */
  setState(call: DriverCall, component: string, indicator: string, state: IndicatorState): Promise<void>;
}

export type VmediaDeviceType = 'cdrom' | 'disk' | 'floppy';
export const VMEDIA_DEVICE_TYPES: readonly VmediaDeviceType[] = ['cdrom', 'disk', 'floppy'];

export interface VmediaAttachment {
  readonly deviceType: VmediaDeviceType;
  readonly imageUrl: string;
  readonly imageDownloadSource: string;
}

/** Inserting and ejecting images on the BMC's virtual devices (API 1.89). Calls hold the node lock. */
export interface VirtualMediaSupport {
  attach(call: DriverCall, media: VmediaAttachment): Promise<void>;
  detach(call: DriverCall, deviceTypes: readonly VmediaDeviceType[]): Promise<void>;
}

export type TargetBootMode = 'uefi' | 'bios';

/** Changing the firmware boot mode and UEFI secure boot (API 1.76). Calls hold the node lock and may be slow. */
export interface BootModeSupport {
  setBootMode(call: DriverCall, mode: TargetBootMode): Promise<void>;
  setSecureBoot(call: DriverCall, enabled: boolean): Promise<void>;
}

// Declaration merging: the capabilities are optional members of every management interface.
export interface ManagementInterface {
  readonly indicators?: IndicatorSupport;
  readonly virtualMedia?: VirtualMediaSupport;
  readonly bootModes?: BootModeSupport;
}

/** One BIOS setting as the BMC reports it; registry fields are optional (Redfish attribute registry). */
export interface BiosSettingValue {
  readonly name: string;
  readonly value: string | null;
  readonly attributeType?: string | null;
  readonly allowableValues?: readonly string[] | null;
  readonly lowerBound?: number | null;
  readonly upperBound?: number | null;
  readonly minLength?: number | null;
  readonly maxLength?: number | null;
  readonly readOnly?: boolean | null;
  readonly resetRequired?: boolean | null;
  readonly unique?: boolean | null;
}

/** Reading the current BIOS settings (Ironic's `cache_bios_settings`). Called holding no lock: it only reads. */
export interface BiosSettingsSupport {
  read(call: DriverCall): Promise<BiosSettingValue[]>;
}

// ---- Boot and deploy: the kinds that put a ramdisk in front of the node and an image on its disk.
// The conductor calls them holding the node's lock, through a DriverTask (the conductor's Task implements it),
// so drivers never import the conductor.

/** Why the node boots its ramdisk; picks the kernel/ramdisk pair (rescue has its own) and the agent's job. */
export type RamdiskPurpose = 'deploy' | 'clean' | 'inspect' | 'rescue' | 'service';

/** Where network-boot files are written and how a booting node reaches them. */
export interface BootFilesEnvironment {
  /** Directory served over TFTP (PXELINUX/GRUB configs, loaders). */
  readonly tftpRoot: string;
  /** Directory served over HTTP (iPXE scripts, kernels, ramdisks). */
  readonly httpRoot: string;
  /** Base URL at which httpRoot is served, without a trailing slash. */
  readonly httpUrl: string;
  /** The API URL the agent calls back (kernel argument `ipa-api-url=`). */
  readonly apiUrl: string;
  /**
   * Brings the image at `url` (http(s):// or file://) into the image cache — reused while the origin's
   * Last-Modified / the file's mtime is unchanged — and hard-links it at `dest` (absolute, inside a root).
   */
  placeImage(url: string, dest: string): Promise<void>;
}

/** What the DHCP server is to answer one node's ports (Ironic's dhcp_options, as data). */
export interface DhcpBootOptions {
  /** Boot file for non-iPXE clients by firmware, and the iPXE script URL for iPXE clients. */
  readonly bootMode: 'bios' | 'uefi';
  readonly bootFile: string;
  readonly ipxeScriptUrl?: string;
  /** TFTP server address (option 66); defaults to the DHCP server itself. */
  readonly tftpServer?: string;
}

/** Ironic's DHCP provider kind: per-port boot answers that follow the node's state. */
export interface DhcpProvider {
  readonly name: string;
  /** Answers `ports` (their MACs) with `options` from now on. Idempotent. */
  updatePorts(nodeUuid: string, ports: readonly PortRecord[], options: DhcpBootOptions): Promise<void>;
  /** Stops answering the node's ports with boot options (the node boots from disk or is gone). */
  cleanNode(nodeUuid: string, macs?: readonly string[]): Promise<void>;
  /** A port was deleted or its MAC changed: stop answering these MACs; the node's other ports keep theirs. Idempotent. */
  forgetMacs(macs: readonly string[]): Promise<void>;
}

/** A heartbeat's facts as the conductor stored them, handed to the deploy interface. */
export interface AgentCallback {
  readonly callbackUrl: string;
  readonly agentVersion?: string;
}

/** Services the conductor lends to drivers for the duration of one task. */
export interface DriverEnvironment {
  readonly config: Config;
  readonly bootFiles: BootFilesEnvironment;
  readonly dhcp: DhcpProvider;
}

/** The interfaces of the node's composed driver, as drivers may call each other (boot sets the boot device…). */
export interface DriverInterfaces {
  power(): PowerInterface;
  management(): ManagementInterface;
  boot(): BootInterface;
  deploy(): DeployInterface;
}

/** One node under its lock, as a driver sees it. */
export interface DriverTask extends DriverCall {
  readonly node: NodeRecord;
  /** The node's ports as loaded when the task started (reloadPorts() after changing them). */
  readonly ports: readonly PortRecord[];
  readonly driver: DriverInterfaces;
  readonly env: DriverEnvironment;
  /** The API request that started the work (`req-<uuid>`), passed to the agent as ipa-global-request-id; optional. */
  readonly requestId?: string;
  /** Writes node fields while the lock is held; returns the saved node (task.node follows). */
  save(changes: Partial<NodeRecord>): Promise<NodeRecord>;
}

/** Network boot (PXE/iPXE/HTTP boot, virtual media): what the node boots before and after the image is on disk. */
export interface BootInterface extends HardwareInterface {
  readonly kind: 'boot';
  /** Boots the node over the network from one of its ports (what deploy validation asks ports for). */
  readonly networkBoot?: boolean;
  /**
   * Everything the node needs to boot its ramdisk at the next power on: kernel and ramdisk placed, boot
   * config written under the names the firmware asks for, DHCP answering, boot device set. Does not power
   * the node. Idempotent.
   */
  prepareRamdisk(task: DriverTask, purpose: RamdiskPurpose): Promise<void>;
  /** Removes what prepareRamdisk wrote (files, DHCP entries). Idempotent; never fails on missing files. */
  cleanUpRamdisk(task: DriverTask): Promise<void>;
  /** The image is on disk: the next boot must start it (boot device disk, network boot switched off or to local). */
  prepareInstance(task: DriverTask): Promise<void>;
  /** Undeploy / delete: removes anything left for booting the instance. Idempotent. */
  cleanUpInstance(task: DriverTask): Promise<void>;
}

/** A step as Ironic lists it (`deploy_step`, `clean_step`, `driver_internal_info.deploy_steps`). */
export interface StepDescriptor {
  readonly interface: InterfaceKind;
  readonly step: string;
  readonly priority: number;
  readonly argsinfo?: Readonly<Record<string, unknown>> | null;
  readonly abortable?: boolean;
  readonly reboot_requested?: boolean;
}

/** A step to run, with its arguments (user steps and templates carry args). */
export interface StepCall {
  readonly interface: InterfaceKind;
  readonly step: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly priority: number;
}

/**
 * The TypeScript form of Ironic's "return None or the WAIT state": `done` moves to the next step; `wait`
 * leaves the node in its wait state until the agent calls back (DeployInterface.heartbeat).
 */
export type StepResult = { readonly kind: 'done' } | { readonly kind: 'wait' };

/**
 * What a heartbeat means for the waiting step: `resume` = the step is finished, run the next; `wait` = keep
 * waiting. A failed agent command throws (StepFailedError) with a message naming step and cause.
 */
export type HeartbeatOutcome = { readonly kind: 'resume' } | { readonly kind: 'wait' };

export type StepFlow = 'deploy' | 'clean';

/** Writing the instance: Ironic's deploy interface (`direct`, `ramdisk`, `fake`). */
export interface DeployInterface extends HardwareInterface {
  readonly kind: 'deploy';
  /**
   * Steps of `flow` this interface offers, with default priorities. For agent interfaces the clean steps
   * (and extra deploy steps) come from the agent, so this may be called again once the agent has called back.
   */
  steps(task: DriverTask, flow: StepFlow): Promise<readonly StepDescriptor[]>;
  /** Runs one step of `flow`; called with the node in its transitional state (deploying / cleaning). */
  executeStep(task: DriverTask, flow: StepFlow, step: StepCall): Promise<StepResult>;
  /** The node's agent called back while the node waits in `wait call-back` / `clean wait`. */
  heartbeat(task: DriverTask, flow: StepFlow, callback: AgentCallback): Promise<HeartbeatOutcome>;
  /** Before clean steps run: boot the ramdisk when the steps need the agent (`wait`), else `done`. */
  prepareCleaning(task: DriverTask): Promise<StepResult>;
  /** After the last clean step or on failure: power off, remove ramdisk boot files. */
  tearDownCleaning(task: DriverTask): Promise<void>;
  /** Undeploy: power off and remove what booting the instance needs. */
  tearDown(task: DriverTask): Promise<void>;
  /** A conductor takes over an active node (its old conductor died): re-prepare the instance boot. */
  takeOver(task: DriverTask): Promise<void>;
}

/** What an inspection found, for the conductor to record (inventory, node properties, ports). */
export interface InspectionFindings {
  readonly inventory: Readonly<Record<string, unknown>>;
  readonly pluginData: Readonly<Record<string, unknown>>;
  /** Merged into node.properties: cpus, memory_mb, local_gb, cpu_arch (and capabilities such as boot_mode). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** NICs that get a port (Ironic's `[inspector]add_ports`, default: the one the node network-booted from). */
  readonly ports: readonly { readonly address: string; readonly pxeEnabled: boolean }[];
}

/** Hardware inspection (Ironic's inspect interface: `agent` in-band, `redfish` out of band, `fake`). */
export interface InspectInterface extends HardwareInterface {
  readonly kind: 'inspect';
  /** Starts inspection: `done` with the findings when read at once (out of band), `wait` for the agent's report. */
  inspect(task: DriverTask): Promise<{ readonly kind: 'wait' } | { readonly kind: 'done'; readonly findings: InspectionFindings }>;
  /** The agent's report (POST /v1/continue_inspection) for a node in `inspect wait`. @throws when it is unusable */
  continueInspection(task: DriverTask, data: Readonly<Record<string, unknown>>): Promise<InspectionFindings>;
  /** Inspection ended (done, failed or aborted): power off and remove ramdisk boot files. */
  tearDown(task: DriverTask): Promise<void>;
}

/** Rescue mode (Ironic's rescue interface `agent`): boot the rescue ramdisk with a password set. */
export interface RescueInterface extends HardwareInterface {
  readonly kind: 'rescue';
  /** Boots the rescue ramdisk; `wait` until its agent calls back. */
  rescue(task: DriverTask): Promise<StepResult>;
  /** The rescue ramdisk called back: hand it the password (`resume` = rescue is done). */
  heartbeat(task: DriverTask, callback: AgentCallback): Promise<HeartbeatOutcome>;
  /** Back to the instance: remove rescue boot files and boot the disk. */
  unrescue(task: DriverTask): Promise<void>;
  /** Rescue failed or was aborted: remove rescue boot files. */
  cleanUp(task: DriverTask): Promise<void>;
}

// ---- Serial console (Ironic's console interface: `ipmitool-socat`, `fake`, `no-console`).

/** What GET /states/console shows while the console is on: Ironic's `{type, url}`; `{}` for the fake console. */
export type ConsoleInfo = { readonly type: string; readonly url: string } | Readonly<Record<string, never>>;

/** What the conductor lends a console: where to listen, and whom to tell when the console dies on its own. */
export interface ConsoleEnvironment {
  /** Address the console listens on (setting consoleAddress). */
  readonly address: string;
  /** Inclusive TCP port range to pick from when driver_info has no fixed port. */
  readonly portRange: readonly [number, number];
  /** Called once if the console process exits without stopConsole; `reason` is one sentence, safe to show. */
  readonly onExit: (reason: string) => void;
}

export interface ConsoleInterface extends HardwareInterface {
  readonly kind: 'console';
  /** Starts serving the node's console; resolves once it accepts connections. Idempotent. */
  startConsole(call: DriverCall, env: ConsoleEnvironment): Promise<void>;
  /** Stops it (and whatever it started). Idempotent; never fails for a console that is not running. */
  stopConsole(call: DriverCall): Promise<void>;
  /** Where the running console is reached; null when this process runs no console for the node. */
  getConsole(call: DriverCall): ConsoleInfo | null;
}
