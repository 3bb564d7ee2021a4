// Until the dashboard lands, `npm start` runs this: two agents, one concurrent and one sequential,
// and prints what concurrency saved. It uses the built runner only.
import { Runner, defineAgent, defineTool } from '@overlap/runner';

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
const anyInput = { '~standard': { version: 1, vendor: 'quickstart', validate: (value) => ({ value }) } };
const tool = (name, ms) => defineTool({ name, input: anyInput, timeoutMs: 2000, run: async (_i, { signal }) => (await sleep(ms, signal), name) });
const searchKb = tool('search_kb', 300);
const getUserStatus = tool('get_user_status', 200);
const callLlm = tool('call_llm', 400);

const concurrent = defineAgent({
  name: 'handle_request',
  async run(ctx) {
    const [kb, user] = await ctx.all([ctx.call(searchKb, {}), ctx.call(getUserStatus, {})]);
    return ctx.call(callLlm, { kb, user });
  },
});
const sequential = defineAgent({
  name: 'handle_request_sequential',
  async run(ctx) {
    const kb = await ctx.call(searchKb, {});
    const user = await ctx.call(getUserStatus, {});
    return ctx.call(callLlm, { kb, user });
  },
});

const runner = new Runner();
for (const agent of [sequential, concurrent]) {
  const start = performance.now();
  await runner.run(agent, {});
  console.log(`${agent.name.padEnd(28)} ${Math.round(performance.now() - start)} ms`);
}
