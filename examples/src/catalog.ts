/**
 * The catalog of examples, in the order they are best read: the CLI (`overlap run <name>`), the demo
 * and the dashboard's "run an agent" form list and run them from here.
 *
 * @packageDocumentation
 */
import { agentLoopExample } from './agents/agentLoop.js';
import { burstExample } from './agents/burst.js';
import { coursewareExample } from './agents/courseware.js';
import { flakyRetrievalExample } from './agents/flakyRetrieval.js';
import { knowledgeBaseExample } from './agents/knowledgeBase.js';
import { modelFallbackExample } from './agents/modelFallback.js';
import { supportExample } from './agents/support.js';
import type { Example } from './Example.js';

export type {
  Example,
  ExampleEnvironment,
  ExampleParameter,
  ExampleParameterName,
  ExampleRun,
  ExampleRunResult,
} from './Example.js';

/**
 * Every example, by name: `support`, `knowledge-base`, `courseware`, `model-fallback`,
 * `flaky-retrieval`, `burst`, `agent-loop`.
 *
 * @example
 * ```ts
 * const upstream = await createUpstream();
 * for (const example of examples) {
 *   const { runs } = await example.run({ runner, upstreamUrl: upstream.url });
 *   for (const run of runs) console.log(example.name, run.label, run.error ?? run.output);
 * }
 * ```
 */
export const examples: readonly Example[] = Object.freeze([
  supportExample,
  knowledgeBaseExample,
  coursewareExample,
  modelFallbackExample,
  flakyRetrievalExample,
  burstExample,
  agentLoopExample,
]);

/**
 * The example named `name`, or undefined.
 *
 * @example
 * ```ts
 * const burst = findExample('burst');
 * if (burst) await burst.run({ runner, upstreamUrl }, { limit: 30 });
 * ```
 */
export function findExample(name: string): Example | undefined {
  return examples.find((example) => example.name === name);
}
