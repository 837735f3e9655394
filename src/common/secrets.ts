// What counts as a secret, and the two things done with secrets: masking them as "******" on the way out
// (API, CLI, logs) and encrypting them at rest when an encryption key is configured.
import { createCipheriv, createDecipheriv, randomBytes, createHash } from 'node:crypto';
import { setOwn } from './safe-json.js';

export const MASK = '******';

// A key is secret when its lower-cased name contains one of these (Ironic masks the same families).
const SECRET_KEY_PARTS = ['password', 'passwd', 'adminpass', 'admin_pass', 'auth_token', 'new_pass',
  'secret', 'sys_pswd', 'token', 'configdrive', 'chappassword', 'encrypted_key', 'private_key',
  'fernetkey', 'sslkey', 'passphrase', 'chapsecret', 'kg_key'];
// Exact keys that hold credentials without a telling name.
const SECRET_KEYS = new Set(['snmp_auth_key', 'snmp_priv_key', 'image_url']);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return SECRET_KEYS.has(k) || SECRET_KEY_PARTS.some((p) => k.includes(p));
}

/** Deep copy of `value` with every secret-keyed value replaced by the mask. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    setOwn(out, k, isSecretKey(k) && v !== null && v !== '' ? MASK : maskSecrets(v));
  }
  return out as T;
}

const KEY_ALTERNATION = SECRET_KEY_PARTS.join('|');
// "ipmi_password": "x"  and  ipmi_password=x / password: x  inside free text
const JSON_PAIR_RE = new RegExp(`("[^"]*(?:${KEY_ALTERNATION})[^"]*"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const ESCAPED_PAIR_RE = new RegExp(`(\\\\"[^"\\\\]*(?:${KEY_ALTERNATION})[^"\\\\]*\\\\"\\s*:\\s*)\\\\"(?:[^"\\\\]|\\\\[^"])*\\\\"`, 'gi');
const TEXT_PAIR_RE = new RegExp(`\\b([\\w-]*(?:${KEY_ALTERNATION})[\\w-]*\\s*[=:]\\s*)(?!\\*{6})[^\\s,;'"}&]+`, 'gi');

/** Masks secret-looking `key=value` / `"key": "value"` fragments in free text (logs, error messages). */
export function scrubText(text: string): string {
  return text
    .replace(JSON_PAIR_RE, `$1"${MASK}"`)
    .replace(ESCAPED_PAIR_RE, `$1\\"${MASK}\\"`)
    .replace(TEXT_PAIR_RE, `$1${MASK}`);
}

/** Removes every literal secret (long enough to be matched safely), then key=value shaped ones. */
export function scrubKnownSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(MASK);
  return scrubText(out);
}

// ---- encryption at rest -------------------------------------------------------------------------

const ENC_PREFIX = 'anvil-enc:v1:';

export class SecretBoxError extends Error {}

/**
 * AES-256-GCM for secret values. Ciphertext format: `anvil-enc:v1:<key id>:<iv>:<tag>:<data>` (base64url
 * parts); the key id (first 8 hex of SHA-256 of the key) lets a rotation tell which values still use the old key.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly keyId: string;

  constructor(keyBase64: string) {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) throw new SecretBoxError('encryption key must be 32 bytes, base64-encoded');
    this.#key = key;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  static isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(ENC_PREFIX);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${ENC_PREFIX}${this.keyId}:${iv.toString('base64url')}:${tag.toString('base64url')}:${data.toString('base64url')}`;
  }

  decrypt(value: string): string {
    const parts = value.slice(ENC_PREFIX.length).split(':');
    if (parts.length !== 4) throw new SecretBoxError('malformed encrypted value');
    const [keyId, iv, tag, data] = parts as [string, string, string, string];
    if (keyId !== this.keyId) throw new SecretBoxError(`value was encrypted with key ${keyId}, configured key is ${this.keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * Encrypts the values of secret keys (recursively) for storage. Non-string secrets are JSON-encoded first.
 * A value that merely looks encrypted is encrypted again: it came from a client, and opening must give it back.
 */
export function sealSecrets(value: unknown, box: SecretBox | null): unknown {
  if (!box) return value;
  if (Array.isArray(value)) return value.map((v) => sealSecrets(v, box));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretKey(k) && v !== null) setOwn(out, k, box.encrypt(typeof v === 'string' ? v : ENC_JSON + JSON.stringify(v)));
    else setOwn(out, k, isSecretKey(k) ? v : sealSecrets(v, box));
  }
  return out;
}

// Marks a sealed value that was not a string, so opening restores its type.
const ENC_JSON = '\u0000json:';

let warnedNoKey = false;

/**
 * Reverses sealSecrets: only values under secret keys are opened, as only those were sealed. Values encrypted
 * under another key raise SecretBoxError (the data is not guessed at); without a configured key ciphertext is
 * left as it is (drivers then fail to authenticate) and a warning names the cause.
 */
export function openSecrets(value: unknown, box: SecretBox | null, underSecretKey = false): unknown {
  if (underSecretKey && SecretBox.isEncrypted(value)) {
    if (!box) {
      if (!warnedNoKey) {
        warnedNoKey = true;
        process.emitWarning('Stored secrets are encrypted but no encryption key is configured (ANVIL_ENCRYPTION_KEY).');
      }
      return value;
    }
    const plain = box.decrypt(value);
    return plain.startsWith(ENC_JSON) ? JSON.parse(plain.slice(ENC_JSON.length)) : plain;
  }
  if (Array.isArray(value)) return value.map((v) => openSecrets(v, box, underSecretKey));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) setOwn(out, k, openSecrets(v, box, isSecretKey(k)));
  return out;
}
