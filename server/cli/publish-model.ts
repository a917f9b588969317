import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NAME_PATTERN } from '../../shared/pack.js';
import { ConfigError, loadConfig } from '../config.js';
import { claimDataDir, DataDirInUseError, type DataDirLock } from '../data-dir-lock.js';
import { openDatabase, type Database } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import {
  ALIAS_PATTERN,
  createModelRegistry,
  DEFAULT_ALIAS,
  PackError,
  verifyPack,
} from '../registry/index.js';

const USAGE = `Usage: npm run publish-model -- <pack dir> [--name <name>] [--alias <alias> | --no-alias]

Verifies every file of the pack against its manifest.json, uploads the files (SHA-256 checked)
to the configured storage, registers the next version of <name> (default: the name in
metadata.json) and points <alias> (default: ${DEFAULT_ALIAS}) at it. Uses the same environment as
the server: DATABASE_URL/DATA_DIR and S3_* for the built-in registry, MLFLOW_TRACKING_URI for MLflow.
With the embedded database (no DATABASE_URL), stop the server first: PGlite allows one process.`;

/** A mistake in the command line; the message goes to the user with the usage text. */
class UsageError extends Error {}

/** Runs the command; returns the exit code. Output goes through `print` so tests can read it. */
export async function publishModelCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        alias: { type: 'string' },
        'no-alias': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      print(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('Give exactly one pack folder.');
    if (values.name !== undefined && !NAME_PATTERN.test(values.name)) {
      throw new UsageError(
        `--name ${values.name}: use 1–64 lowercase letters, digits, "-" or "_".`,
      );
    }
    const alias = values['no-alias'] ? undefined : (values.alias ?? DEFAULT_ALIAS);
    if (alias !== undefined && !ALIAS_PATTERN.test(alias)) {
      throw new UsageError(
        `--alias ${alias}: use 1–64 lowercase letters, digits, "-" or "_", starting with a letter.`,
      );
    }

    const started = performance.now();
    // Verify before touching any service: a tampered pack is refused without side effects.
    const pack = await verifyPack(resolve(positionals[0] ?? '.'));
    const name = values.name ?? pack.metadata.name;
    print(
      `Pack ${pack.dir}: ${pack.manifest.files.length} files, ${(pack.sizeBytes / 1e6).toFixed(1)} MB, all match manifest.json.`,
    );
    if (name !== pack.metadata.name)
      print(
        `Note: metadata.json names the model ${pack.metadata.name}; registering it as ${name}.`,
      );

    const config = loadConfig(env);
    let db: Database | undefined;
    let lock: DataDirLock | undefined;
    try {
      if (!config.MLFLOW_TRACKING_URI) {
        if (!config.DATABASE_URL) lock = await claimDataDir(config.DATA_DIR, 'publish-model');
        db = await openDatabase(config);
        await migrate(db);
      }
      const registry = createModelRegistry(config, db);
      const { version, created } = await registry.publish(pack, { name, alias });
      if (created) {
        print(`Published ${name} version ${version.version} to ${registry.description}.`);
      } else {
        print(
          `This exact pack is already ${name} version ${version.version}; nothing uploaded (versions are immutable).`,
        );
        if (alias && !version.aliases.includes(alias))
          await registry.setAlias(name, alias, version.version);
      }
      if (alias) print(`Alias ${alias} → ${name} version ${version.version}.`);
      print(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      return 0;
    } finally {
      await db?.close();
      await lock?.release();
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      print(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof PackError) {
      print(`Refusing to publish: ${error.message}`);
      return 1;
    }
    if (error instanceof ConfigError || error instanceof DataDirInUseError) {
      print(error.message);
      return 1;
    }
    print(`Publishing failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  publishModelCommand(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
