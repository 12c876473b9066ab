import { chmod, mkdir } from 'node:fs/promises';

/**
 * Whirl's data files hold keys' hashes, action parameters and webhook secrets: only Whirl's own user may read
 * them. Files are created (and re-set on open) 0600, the data directory 0700, whatever the process umask.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and its parents) if needed and makes it 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}
