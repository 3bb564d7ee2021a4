import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const weather = z.object({ city: z.string(), sky: z.string(), temperatureC: z.number() });

/** Current weather for a city. */
export type Weather = z.infer<typeof weather>;

/**
 * `get_weather`: the current weather for a city, from the upstream's `weather` endpoint
 * (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const getWeather = weatherTool({ upstreamUrl, timeoutMs: 800, retry: { attempts: 2 } });
 * const { sky } = await ctx.call(getWeather, { city: 'Oslo' });
 * ```
 */
export function weatherTool(settings: ToolSettings) {
  return defineTool({
    name: 'get_weather',
    description: 'Current weather for a city',
    input: z.object({ city: z.string().min(1) }),
    output: weather,
    ...callPolicy(settings, 1000),
    run: ({ city }, { signal }) => requestJson<Weather>(settings.upstreamUrl, `/weather?city=${encodeURIComponent(city)}`, { signal }),
  });
}
