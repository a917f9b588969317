/**
 * The shared zod schemas the page parses packs and server answers with, as one chunk loaded by
 * `import()` when the first pack or answer is parsed: zod is a third of the app's script, and the
 * first screen does not need it. zod is set up first (shared/zod-jitless.ts: no `new Function`
 * probe under the app's CSP), before any schema below is made.
 */
import '../shared/zod-jitless';

export { batchResponseSchema, deviceResponseSchema, feedbackResponseSchema } from '../shared/api';
export { MODELS_API, modelListSchema, modelVersionSchema } from '../shared/models-api';
export { METADATA_FILE, metadataSchema, MODEL_FILE } from '../shared/pack';
