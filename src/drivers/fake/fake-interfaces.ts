// Fake implementations of every kind: no hardware is touched, so workflows and locking can be exercised.
import { defineInterface, type InterfaceKind } from '../interfaces.js';

export const fake = (kind: InterfaceKind) => defineInterface({ kind, name: 'fake', properties: {} });
