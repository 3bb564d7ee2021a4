// The run form's pure parts: reading the typed parameters, labelling them, grouping agents by runner.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentChoices, choiceKey } from '../../src/page/agents/agentChoices.js';
import { parameterLabel } from '../../src/page/agents/parameterLabel.js';
import { readAgentParams } from '../../src/page/agents/readAgentParams.js';
import type { AgentParameter, ConnectedRunner } from '@overlap/shared';

const limit: AgentParameter = { name: 'limit', description: 'permits', default: 3, min: 1, max: 30 };
const timeout: AgentParameter = { name: 'timeoutMs', description: 'per call', default: 1000, min: 50, max: 10_000 };

/** A parameter with an integer range of at most a million values, anywhere around zero. */
const parameterArb = fc
  .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([min, width]): AgentParameter => ({ name: 'n', description: '', default: min, min, max: min + width }));

describe('readAgentParams', () => {
  it('readAgentParams() - reads whole numbers within range, as typed (spaces, sign, exponent)', () => {
    expect(readAgentParams([limit, timeout], { limit: ' 4 ', timeoutMs: '1e3' })).toEqual({ ok: true, params: { limit: 4, timeoutMs: 1000 } });
    expect(readAgentParams([limit], { limit: '+30' })).toEqual({ ok: true, params: { limit: 30 } });
    expect(readAgentParams([], { stray: '1' })).toEqual({ ok: true, params: {} });
  });

  it('readAgentParams() - names every parameter that is out of range, not whole, not a number or empty', () => {
    const reading = readAgentParams([limit, timeout], { limit: '500', timeoutMs: '2.5' });
    expect(reading).toEqual({
      ok: false,
      problems: [
        { name: 'limit', message: 'limit: expected an integer from 1 to 30, received 500' },
        { name: 'timeoutMs', message: 'timeout (ms): expected an integer from 50 to 10000, received 2.5' },
      ],
    });
    for (const text of ['', '  ', 'abc', '0x10', '1,5', 'Infinity', 'NaN', '0']) {
      expect(readAgentParams([limit], { limit: text }).ok, text).toBe(false);
    }
    expect(readAgentParams([limit], {})).toEqual({ ok: false, problems: [{ name: 'limit', message: 'limit: expected an integer from 1 to 30' }] });
    // An inherited property is not a typed value.
    expect(readAgentParams([{ ...limit, name: 'constructor' }], {}).ok).toBe(false);
  });

  it('readAgentParams() - accepts exactly the integers from min to max (property)', () => {
    fc.assert(
      fc.property(parameterArb, fc.integer({ min: -3_000_000, max: 3_000_000 }), (parameter, value) => {
        const reading = readAgentParams([parameter], { n: String(value) });
        const inRange = value >= parameter.min && value <= parameter.max;
        expect(reading).toEqual(inRange ? { ok: true, params: { n: value } } : { ok: false, problems: [{ name: 'n', message: `n: expected an integer from ${parameter.min} to ${parameter.max}, received ${value}` }] });
      }),
    );
  });

  it('readAgentParams() - refuses any number with a fraction, whatever the range (property)', () => {
    fc.assert(
      fc.property(parameterArb, fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)), (parameter, value) => {
        expect(readAgentParams([parameter], { n: String(value) }).ok).toBe(false);
      }),
    );
  });
});

describe('parameterLabel', () => {
  it('parameterLabel() - writes a name as lower-case words, a trailing unit in brackets', () => {
    expect(parameterLabel('timeoutMs')).toBe('timeout (ms)');
    expect(parameterLabel('queue_wait_ms')).toBe('queue wait (ms)');
    expect(parameterLabel('maxQueue')).toBe('max queue');
    expect(parameterLabel('limit')).toBe('limit');
    expect(parameterLabel('ms')).toBe('ms');
    expect(parameterLabel('__')).toBe('__');
  });
});

describe('agentChoices', () => {
  const runner = (runnerId: string, agents: string[]): ConnectedRunner => ({
    runnerId,
    serviceName: `svc-${runnerId}`,
    connectedAt: '2025-01-01T00:00:00.000Z',
    agents: agents.map((name) => ({ name, parameters: [limit] })),
  });

  it('agentChoices() - one group per runner with agents, in order, keyed by runner and agent', () => {
    const runners = [runner('a', ['burst', 'support']), runner('idle', []), runner('b', ['burst'])];
    const groups = agentChoices(runners);
    expect(groups.map((group) => [group.label, group.choices.map((choice) => choice.agent.name)])).toEqual([
      ['svc-a (a)', ['burst', 'support']],
      ['svc-b (b)', ['burst']],
    ]);
    const keys = groups.flatMap((group) => group.choices.map((choice) => choice.key));
    expect(new Set(keys).size).toBe(3);
    expect(groups[1]!.choices[0]).toMatchObject({ key: choiceKey('b', 'burst'), runnerId: 'b', serviceName: 'svc-b', agent: runners[2]!.agents[0] });
  });

  it('choiceKey() - tells apart pairs whose names run together', () => {
    expect(choiceKey('a b', 'c')).not.toBe(choiceKey('a', 'b c'));
    expect(choiceKey('a","b', 'c')).not.toBe(choiceKey('a', 'b","c'));
  });
});
