// Started by startTelemetry.test.ts: records one span with a long batch delay, says "ready", and
// waits to be killed; its telemetry must flush on SIGTERM.
import { z } from 'zod';
import { Runner, defineTool } from '../../src/index.js';
import { startTelemetry } from '../../src/telemetry/index.js';

process.env.OTEL_BSP_SCHEDULE_DELAY = '60000';
await startTelemetry({ otlp: { url: process.argv[2]!, protocol: 'http/json' } }, {});
const lookup = defineTool({ name: 'lookup', input: z.object({}), run: () => 'ok' });
await new Runner().call(lookup, {});
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
