// Placeholders for kinds a hardware type does not implement: `noop` accepts everything, `no-*` reports
// the kind as unsupported (Ironic's names, so existing node definitions keep working).
import { defineInterface, type InterfaceKind } from '../interfaces.js';

export const noop = (kind: InterfaceKind) => defineInterface({ kind, name: 'noop', properties: {} });
export const unsupported = (kind: InterfaceKind) => defineInterface({ kind, name: `no-${kind}`, properties: {}, unsupported: true });
