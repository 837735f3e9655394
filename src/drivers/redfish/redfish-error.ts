// How a failed Redfish call is described: a kind the caller can act on (wrong credentials are final, an
// unreachable or busy BMC was retried first) and one sentence for last_error that carries the BMC's own
// explanation (`error.message` and every `@Message.ExtendedInfo` Message) with secrets scrubbed out.

/** auth: refused credentials; tls: certificate not trusted; unreachable/timeout: no usable answer after the
 * retries; http: the BMC answered with an error status; protocol: an answer Anvil cannot use. */
export type RedfishFailureKind = 'auth' | 'tls' | 'unreachable' | 'timeout' | 'http' | 'protocol';

export class RedfishError extends Error {
  constructor(
    message: string,
    readonly kind: RedfishFailureKind,
    /** HTTP status for `http`/`auth` failures. */
    readonly status: number | null = null,
    /** The BMC's MessageIds (e.g. `Base.1.8.PropertyValueNotInList`), for callers that branch on them. */
    readonly messageIds: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RedfishError';
  }
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The explanation a Redfish error body gives (DSP0266 §9.7: `error` with `@Message.ExtendedInfo`). */
export function explainErrorBody(body: unknown): { text: string; messageIds: string[] } {
  if (!isDict(body)) return { text: '', messageIds: [] };
  const err = isDict(body.error) ? body.error : body;
  const parts: string[] = [];
  const ids: string[] = [];
  if (typeof err.message === 'string' && err.message.trim()) parts.push(err.message.trim());
  const infos = err['@Message.ExtendedInfo'];
  for (const info of Array.isArray(infos) ? infos : []) {
    if (!isDict(info)) continue;
    if (typeof info.MessageId === 'string') ids.push(info.MessageId);
    const msg = typeof info.Message === 'string' ? info.Message.trim() : '';
    const resolution = typeof info.Resolution === 'string' ? info.Resolution.trim() : '';
    // error.message often repeats the first Message: then only its Resolution is new.
    const line = [parts.includes(msg) ? '' : msg, resolution && `Resolution: ${resolution}`].filter(Boolean).join(' ');
    if (line && !parts.includes(line)) parts.push(line);
    else if (!msg && !resolution && typeof info.MessageId === 'string') parts.push(info.MessageId);
  }
  return { text: parts.join('; ').slice(0, 1000), messageIds: ids };
}
