// The certificate and key of `tlsCertFile`/`tlsKeyFile`, read once at start-up for the API and the image
// server; a half-configured or unreadable pair stops the start rather than silently serving plain HTTP.
import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from './config.js';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function loadTlsFiles(config: Pick<Config, 'tlsCertFile' | 'tlsKeyFile'>): TlsFiles | null {
  if (!config.tlsCertFile && !config.tlsKeyFile) return null;
  if (!config.tlsCertFile || !config.tlsKeyFile) throw new ConfigError('TLS needs both tlsCertFile and tlsKeyFile');
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`cannot read ${name} ${path}: ${(err as Error).message}`);
    }
  };
  return { cert: read('tlsCertFile', config.tlsCertFile), key: read('tlsKeyFile', config.tlsKeyFile) };
}
