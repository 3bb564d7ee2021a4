import { Runner } from '@overlap/runner';
import { createUpstream, examples, findExample } from '@overlap/examples';

// The local upstream the tools call: seeded latencies, rate limits, failures and hangs.
const upstream = await createUpstream({ seed: 1 });
// Spans go to the global OpenTelemetry SDK when one is registered (see @overlap/runner/telemetry).
const runner = new Runner();
try {
  for (const example of examples) console.log(`${example.name}: ${example.title}`);
  const result = await findExample('knowledge-base')!.run({ runner, upstreamUrl: upstream.url }, { timeoutMs: 2000 });
  for (const run of result.runs) {
    console.log(`${run.label}: ${Math.round(run.durationMs)} ms`, run.error ?? run.output);
  }
} finally {
  await upstream.close();
}
