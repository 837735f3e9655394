// The agent's side of the ramdisk API (ironic-compat §9), as stock IPA speaks it: version discovery on
// `GET /`, lookup by MACs at min(max, 1.62) retried until a deadline (409 backs off 5 → 10 → 30 s),
// heartbeats at min(max, 1.68) with the fields the negotiated version allows, and the inspection report.
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../common/log.js';
import { errorText, requestJson, type JsonResponse, type TlsSettings } from './http-json.js';

type Version = readonly [number, number];
const FALLBACK: Version = [1, 31];
const TOKEN_VERSION: Version = [1, 62];
const AGENT_VERSION_VERSION: Version = [1, 36];
const VERIFY_CA_VERSION: Version = [1, 68];
const CONTINUE_INSPECTION_VERSION: Version = [1, 84];

const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1];
const min = (a: Version, b: Version) => (cmp(a, b) <= 0 ? a : b);
const fmt = (v: Version) => `${v[0]}.${v[1]}`;

export interface LookupAnswer {
  readonly node: Record<string, unknown> & { uuid: string };
  readonly config: Record<string, unknown>;
}

export interface HeartbeatFields {
  readonly callbackUrl: string;
  readonly agentToken: string | null;
  readonly agentVersion: string;
  /** PEM of the agent's own certificate (auto-TLS); omitted over plain HTTP. */
  readonly verifyCa: string | null;
}

export class IronicClient {
  #version: Version | null = null;
  readonly #base: string;

  constructor(apiUrl: string, private readonly opts: { tls?: TlsSettings; requestId?: string; timeoutMs?: number } = {}) {
    this.#base = apiUrl.replace(/\/+$/, '');
  }

  get baseUrl(): string {
    return this.#base;
  }

  async #call(method: string, path: string, version: Version | null, body?: unknown): Promise<JsonResponse> {
    const headers: Record<string, string> = {};
    if (version) headers['X-OpenStack-Ironic-API-Version'] = fmt(version);
    if (this.opts.requestId) headers['X-OpenStack-Request-ID'] = this.opts.requestId;
    return requestJson(method, this.#base + path, { headers, body, tls: this.opts.tls, timeoutMs: this.opts.timeoutMs ?? 60_000 });
  }

  /** The API's maximum version from `GET /` (1.31 when it cannot be read, as IPA falls back). */
  async apiVersion(): Promise<Version> {
    if (this.#version) return this.#version;
    try {
      const res = await this.#call('GET', '/', null);
      const v = String((res.body as { default_version?: { version?: unknown } })?.default_version?.version ?? '');
      const m = /^(\d+)\.(\d+)$/.exec(v);
      if (res.status !== 200 || !m) throw new Error(`unexpected answer ${res.status}`);
      this.#version = [Number(m[1]), Number(m[2])];
    } catch (err) {
      log.warn('Could not discover the API version; assuming 1.31', { error: (err as Error).message });
      return FALLBACK;
    }
    return this.#version;
  }

  async supportsAutoTls(): Promise<boolean> {
    return cmp(await this.apiVersion(), VERIFY_CA_VERSION) >= 0;
  }

  /** One lookup attempt: the answer, or null when the node is not (yet) known / the API is unreachable. */
  async lookupOnce(macs: readonly string[], nodeUuid: string | null): Promise<LookupAnswer | 'conflict' | null> {
    const q = new URLSearchParams({ addresses: macs.join(',') });
    if (nodeUuid) q.set('node_uuid', nodeUuid);
    let res: JsonResponse;
    try {
      res = await this.#call('GET', `/v1/lookup?${q}`, min(await this.apiVersion(), TOKEN_VERSION));
    } catch (err) {
      log.warn('Lookup failed, retrying', { error: (err as Error).message, api: this.#base });
      return null;
    }
    if (res.status === 409) return 'conflict';
    if (res.status !== 200) {
      log.warn('Lookup did not find this node yet, retrying', { addresses: macs.join(','), error: errorText(res) });
      return null;
    }
    const b = res.body as Partial<LookupAnswer> | null;
    if (!b || typeof b !== 'object' || !b.node || typeof b.node.uuid !== 'string') {
      log.warn('Lookup answer holds no node UUID, retrying');
      return null;
    }
    const config = b.config && typeof b.config === 'object' ? b.config : { heartbeat_timeout: (b as Record<string, unknown>).heartbeat_timeout };
    return { node: b.node, config };
  }

  /**
   * Looks the node up until `timeoutS` passes: random exponential waits between `intervalS` and 60 s, and
   * IPA's lock back-off (5, 10, then 30 s) while the API answers 409.
   * @throws Error when the deadline passes.
   */
  async lookup(macs: readonly string[], nodeUuid: string | null, timeoutS: number, intervalS: number): Promise<LookupAnswer> {
    const deadline = Date.now() + timeoutS * 1000;
    let attempt = 0;
    let lockPause = 0;
    for (;;) {
      const r = await this.lookupOnce(macs, nodeUuid);
      if (r && r !== 'conflict') return r;
      let waitS: number;
      if (r === 'conflict') {
        lockPause = lockPause === 0 ? 5 : lockPause === 5 ? 10 : 30;
        waitS = lockPause;
      } else {
        waitS = Math.max(intervalS, Math.min(60, Math.random() * intervalS * 2 ** attempt));
        attempt++;
      }
      if (Date.now() + waitS * 1000 > deadline) {
        throw new Error(`Could not look up node info within ${timeoutS} s (addresses ${macs.join(',')}${nodeUuid ? `, node ${nodeUuid}` : ''}).`);
      }
      await sleep(waitS * 1000);
    }
  }

  /** @throws Error naming the status and Ironic's fault string; `conflict` true for 409. */
  async heartbeat(nodeUuid: string, hb: HeartbeatFields): Promise<void> {
    const api = await this.apiVersion();
    const body: Record<string, string> = { callback_url: hb.callbackUrl };
    if (cmp(api, TOKEN_VERSION) >= 0 && hb.agentToken) body.agent_token = hb.agentToken;
    if (cmp(api, AGENT_VERSION_VERSION) >= 0) body.agent_version = hb.agentVersion;
    if (cmp(api, VERIFY_CA_VERSION) >= 0 && hb.verifyCa) body.agent_verify_ca = hb.verifyCa;
    const res = await this.#call('POST', `/v1/heartbeat/${encodeURIComponent(nodeUuid)}`, min(api, VERIFY_CA_VERSION), body);
    if (res.status !== 202) throw Object.assign(new Error(errorText(res)), { conflict: res.status === 409 });
  }

  /**
   * POST /v1/continue_inspection with the inventory. Stock IPA sends no version header there; we send 1.84
   * when the API has it, which Ironic and Anvil both need to route the call. @returns the node UUID, if given.
   */
  async continueInspection(url: string | null, data: Record<string, unknown>, nodeUuid: string | null): Promise<string | null> {
    const api = await this.apiVersion();
    const target = new URL(url ?? `${this.#base}/v1/continue_inspection`);
    // A node UUID known up front (virtual media, --node-uuid) spares the API the search by MAC.
    if (nodeUuid && !target.searchParams.has('node_uuid')) target.searchParams.set('node_uuid', nodeUuid);
    const headers: Record<string, string> = {};
    if (cmp(api, CONTINUE_INSPECTION_VERSION) >= 0) headers['X-OpenStack-Ironic-API-Version'] = fmt(CONTINUE_INSPECTION_VERSION);
    if (this.opts.requestId) headers['X-OpenStack-Request-ID'] = this.opts.requestId;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await requestJson('POST', target.href, { headers, body: data, tls: this.opts.tls, timeoutMs: this.opts.timeoutMs ?? 60_000 });
        if (res.status < 300) {
          const uuid = (res.body as { uuid?: unknown; node?: { uuid?: unknown } } | null);
          const found = uuid?.uuid ?? uuid?.node?.uuid;
          return typeof found === 'string' ? found : null;
        }
        // Like IPA: 5xx and 409 are retried, any other answer ends the attempt.
        if (res.status < 500 && res.status !== 409) throw Object.assign(new Error(errorText(res)), { final: true });
        if (attempt >= 5) throw new Error(errorText(res));
      } catch (err) {
        if ((err as { final?: boolean }).final || attempt >= 5) throw err;
        log.warn('Posting the inspection data failed, retrying', { error: (err as Error).message });
      }
      await sleep(Math.min(30_000, 5000 * 1.5 ** (attempt - 1)));
    }
  }
}
