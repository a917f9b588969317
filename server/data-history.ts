/**
 * A note, kept outside the data, of which installation each data location (a DATA_DIR, or a
 * database named by host, port and name) held at its last start. A start that finds a fresh,
 * empty database where the note names another installation says so loudly: the predictions and
 * device registrations stored there before are not in this one, devices will have to register
 * again, and an operator may still be able to restore the old folder or database.
 *
 * The note lives in the user's state folder ($XDG_STATE_HOME/fishlens, else
 * ~/.local/state/fishlens): on a laptop that outlives a deleted .data folder. In a container it
 * lasts as long as the container's /tmp, so there /readyz and the write checks of
 * data-identity.ts are what stop data from being acknowledged into the wrong place.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from './log.js';
import type { Installation } from './installation.js';

interface Sighting {
  installationId: string;
  firstStartedAt: string;
  lastStartedAt: string;
}

type History = Record<string, Sighting>;

/** The default folder of the note. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'fishlens');
}

/** A stable name for where the data is: DATA_DIR's absolute path, or the database's address. */
export function dataLocation(config: { DATABASE_URL?: string | undefined; DATA_DIR: string }) {
  if (!config.DATABASE_URL) return `pglite:${resolve(config.DATA_DIR)}`;
  const url = new URL(config.DATABASE_URL);
  return `postgres://${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/**
 * Compares this start's installation with the note for `location`, warns when the data there is
 * not what it was, and updates the note. Never throws: without a writable state folder there is
 * simply no note (debug log).
 */
export async function checkDataHistory(options: {
  stateDir: string;
  location: string;
  installation: Installation;
  log: Logger;
  /** Where the loud message is printed besides the log (stderr). */
  print?: (text: string) => void;
}): Promise<'first' | 'same' | 'replaced'> {
  const { stateDir, location, installation, log } = options;
  const file = join(stateDir, 'data-locations.json');
  let history: History = {};
  try {
    history = JSON.parse(await readFile(file, 'utf8')) as History;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log.debug({ err: error, file }, 'data location note unreadable; starting a new one');
  }
  const before = history[location];
  const now = new Date().toISOString();
  let verdict: 'first' | 'same' | 'replaced' = 'first';
  if (before && before.installationId === installation.id) verdict = 'same';
  else if (before) {
    verdict = 'replaced';
    const message =
      `The data at ${location} is NOT the data this server used before. It held installation ` +
      `${before.installationId} (first started ${before.firstStartedAt}, last started ` +
      `${before.lastStartedAt}); now it holds ${installation.id}, first started ` +
      `${installation.firstStartedAt}. The predictions and device registrations stored there ` +
      'before are not in this database, and devices will register again. If the folder or ' +
      'database was deleted or swapped by mistake, stop the server now and restore it from a backup.';
    log.error({ location, previous: before, installation }, message);
    (options.print ?? ((text) => process.stderr.write(text)))(
      `\n${'!'.repeat(78)}\n${message}\n${'!'.repeat(78)}\n\n`,
    );
  }
  history[location] = {
    installationId: installation.id,
    firstStartedAt: verdict === 'same' ? before!.firstStartedAt : installation.firstStartedAt,
    lastStartedAt: now,
  };
  try {
    await mkdir(stateDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(history, null, 2));
    await rename(temp, file);
  } catch (error) {
    log.debug({ err: error, file }, 'could not write the data location note');
  }
  return verdict;
}
