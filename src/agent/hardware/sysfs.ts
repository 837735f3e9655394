// Reading one value from /proc or /sys: trimmed text, or null when the file is absent or empty (the kernel
// did not expose the fact, which the inventory reports as null rather than guessing).
import { readFile } from 'node:fs/promises';

export async function readText(path: string): Promise<string | null> {
  try {
    const v = (await readFile(path, 'utf8')).trim();
    return v === '' ? null : v;
  } catch {
    return null;
  }
}
