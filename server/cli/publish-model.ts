import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, NAME_PATTERN } from '../../shared/pack.js';
import { ConfigError, loadConfig } from '../config.js';
import { claimDataDir, DataDirInUseError, type DataDirLock } from '../data-dir-lock.js';
import { openDatabase, type Database } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { stageBareExport } from '../registry/bare-export.js';
import { PRESET_NAMES } from '../registry/bare-metadata.js';
import {
  createModelRegistry,
  invalidAlias,
  DEFAULT_ALIAS,
  PackError,
  verifyPack,
} from '../registry/index.js';

const USAGE = `Usage: npm run publish-model -- <dir> [--name <name>] [--labels <file>] [--preprocess <preset>]
                                   [--alias <alias> | --no-alias]

<dir> is a Fishlens pack (manifest.json + metadata.json + model files) or a bare TF.js export:
model.json + weight shards from tensorflowjs_converter (layers or graph model), with labels from
--labels <file> (one per line, in output order; or a JSON list), a labels.txt in <dir>, a Teachable
Machine metadata.json, or the converter's --metadata. A bare export needs --name (lowercase letters,
digits, "-", "_"), and --preprocess says how its photos are scaled: ${PRESET_NAMES.join(', ')}
(mobilenet [-1, 1] when not given). The model is checked (format, input, one score per label, ops
the app runs) before anything is uploaded; the manifest (size + sha256 of every file) is computed
here. The files go to the configured storage, the next version of <name> (default: the name in
metadata.json) is registered and <alias> (default: ${DEFAULT_ALIAS}) points at it. Uses the same
environment as the server: DATABASE_URL/DATA_DIR and S3_* for the built-in registry,
MLFLOW_TRACKING_URI for MLflow. With the embedded database (no DATABASE_URL), stop the server
first: PGlite allows one process.`;

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
        labels: { type: 'string' },
        preprocess: { type: 'string' },
        alias: { type: 'string' },
        'no-alias': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      print(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('Give exactly one folder.');
    if (values.name !== undefined && !NAME_PATTERN.test(values.name)) {
      throw new UsageError(
        `--name ${values.name}: use 1–64 lowercase letters, digits, "-" or "_".`,
      );
    }
    const alias = values['no-alias'] ? undefined : (values.alias ?? DEFAULT_ALIAS);
    const aliasProblem = alias === undefined ? undefined : invalidAlias(alias);
    if (aliasProblem) throw new UsageError(`--alias ${alias}: ${aliasProblem}`);
    if (values.preprocess !== undefined && !(PRESET_NAMES as string[]).includes(values.preprocess))
      throw new UsageError(`--preprocess ${values.preprocess}: use ${PRESET_NAMES.join(', ')}.`);

    const started = performance.now();
    const dir = resolve(positionals[0] ?? '.');
    const isPack = existsSync(join(dir, MANIFEST_FILE));
    if (isPack && (values.labels !== undefined || values.preprocess !== undefined))
      throw new UsageError(
        `${dir} is a Fishlens pack (it has ${MANIFEST_FILE}): its metadata.json names the labels and preprocessing; --labels and --preprocess are for bare TF.js exports.`,
      );
    // A bare export becomes a pack in a temp folder: metadata.json and manifest.json made here.
    const staged = isPack
      ? undefined
      : await stageBareExport(dir, {
          name: values.name,
          labelsFile: values.labels,
          preset: values.preprocess,
        });
    try {
      for (const note of staged?.notes ?? []) print(note);
      // Verify before touching any service: a tampered pack is refused without side effects.
      const pack = await verifyPack(staged?.dir ?? dir);
      const name = values.name ?? pack.metadata.name;
      print(
        staged
          ? `Bare export ${dir}: ${pack.manifest.files.length} files, ${(pack.sizeBytes / 1e6).toFixed(1)} MB; metadata.json and manifest.json made for it.`
          : `Pack ${pack.dir}: ${pack.manifest.files.length} files, ${(pack.sizeBytes / 1e6).toFixed(1)} MB, all match manifest.json.`,
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
    } finally {
      await staged?.cleanup();
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
