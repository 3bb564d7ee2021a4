import { describe, expect, it } from 'vitest';
import type { AgentParameter } from '../src/agents/AgentDescriptor.js';
import { acceptsAgentParameter, agentParameterRange, resolveAgentParams } from '../src/agents/agentParams.js';
import { readAgentDescriptors, readRunnerRegistration } from '../src/agents/readAgentDescriptors.js';

const limit: AgentParameter = { name: 'limit', description: 'permits', default: 3, min: 1, max: 30 };
const count: AgentParameter = { name: 'count', description: 'calls', default: 30, min: 1, max: 200 };

describe('resolveAgentParams()', () => {
  it('resolveAgentParams() - fills in defaults and keeps given integers within range', () => {
    expect(resolveAgentParams([limit, count], { limit: 8 })).toEqual({ ok: true, params: { limit: 8, count: 30 } });
    expect(resolveAgentParams([limit, count], undefined)).toEqual({ ok: true, params: { limit: 3, count: 30 } });
    expect(resolveAgentParams([limit], { limit: 30 })).toEqual({ ok: true, params: { limit: 30 } });
  });

  it('resolveAgentParams() - refuses a value out of range, not an integer, or not a number, naming the parameter', () => {
    const cases: Array<[unknown, string]> = [
      [500, 'limit: expected an integer from 1 to 30, received 500'],
      [0, 'limit: expected an integer from 1 to 30, received 0'],
      [2.5, 'limit: expected an integer from 1 to 30, received 2.5'],
      ['4', 'limit: expected an integer from 1 to 30, received "4"'],
      [null, 'limit: expected an integer from 1 to 30, received null'],
    ];
    for (const [value, message] of cases) {
      expect(resolveAgentParams([limit], { limit: value })).toEqual({ ok: false, problem: { parameter: 'limit', expected: 'an integer from 1 to 30', received: value, message } });
    }
  });

  it('resolveAgentParams() - refuses an unknown parameter and params that are not an object', () => {
    expect(resolveAgentParams([limit], { limt: 4 })).toMatchObject({ ok: false, problem: { parameter: 'limt', message: 'limt: expected one of its parameters (limit), received "limt"' } });
    expect(resolveAgentParams([limit], [4])).toMatchObject({ ok: false, problem: { parameter: 'params' } });
  });

  it('acceptsAgentParameter() and agentParameterRange() - say the same rule', () => {
    expect(agentParameterRange(limit)).toBe('an integer from 1 to 30');
    expect([0, 1, 30, 31, 1.5, Number.NaN, '2'].map((v) => acceptsAgentParameter(limit, v))).toEqual([false, true, true, false, false, false, false]);
  });
});

describe('readRunnerRegistration()', () => {
  const registration = { runnerId: 'r-1', serviceName: 'svc', agents: [{ name: 'burst', title: 'Burst', parameters: [limit, count] }] };

  it('readRunnerRegistration() - reads a valid registration', () => {
    expect(readRunnerRegistration(registration)).toEqual({ ok: true, value: registration });
    expect(readRunnerRegistration({ ...registration, agents: [{ name: 'a' }] })).toEqual({ ok: true, value: { ...registration, agents: [{ name: 'a', parameters: [] }] } });
  });

  it('readRunnerRegistration() - names the first problem with its path', () => {
    const bad = (agents: unknown): string => {
      const reading = readRunnerRegistration({ ...registration, agents });
      return reading.ok ? 'ok' : reading.message;
    };
    expect(bad([{ name: 'a', parameters: [{ ...limit, default: 40 }] }])).toBe('agents[0].parameters[0].default: expected an integer from min to max (1 to 30), received 40');
    expect(bad([{ name: 'a', parameters: [{ ...limit, max: 0 }] }])).toBe('agents[0].parameters[0].max: expected an integer >= min (1), received 0');
    expect(bad([{ name: 'a', parameters: [{ ...limit, min: 0.5 }] }])).toBe('agents[0].parameters[0].min: expected an integer, received 0.5');
    expect(bad([{ name: '' }])).toBe('agents[0].name: expected a string of 1 to 128 characters, received ""');
    expect(bad([{ name: 'a' }, { name: 'a' }])).toBe('agents: expected agents with distinct names, received "a"');
    expect(bad([{ name: 'a', colour: 'red' }])).toMatch(/^agents\[0\]\.colour: expected no such field/);
    expect(bad('all')).toBe('agents: expected an array, received "all"');
    const missingId = readRunnerRegistration({ serviceName: 'svc', agents: [] });
    expect(missingId.ok ? 'ok' : missingId.message).toBe('runnerId: expected a string of 1 to 128 characters, received undefined');
  });

  it('readAgentDescriptors() - is the check of an offer made in code', () => {
    expect(readAgentDescriptors([{ name: 'burst', parameters: [limit] }]).ok).toBe(true);
    expect(readAgentDescriptors([{ name: 'burst', parameters: [{ ...limit, default: 0 }] }])).toMatchObject({ ok: false, path: 'agents[0].parameters[0].default', received: 0 });
  });

  it('readAgentDescriptors() - reads one-click comparisons, whose runs may only give the agent\'s own parameters, in range', () => {
    const comparisons = [
      { title: 'limit 3 vs 6', a: { label: 'limit 3', params: { limit: 3 } }, b: { label: 'limit 6', params: { limit: 6 } } },
      { title: 'sequential vs concurrent', a: { label: 'sequential', agentName: 'kb_sequential' }, b: { label: 'concurrent', agentName: 'kb' } },
    ];
    const reading = readAgentDescriptors([{ name: 'burst', parameters: [limit], comparisons }]);
    expect(reading).toEqual({ ok: true, value: [{ name: 'burst', parameters: [{ ...limit }], comparisons }] });
    const bad = (value: unknown): string => {
      const result = readAgentDescriptors([{ name: 'burst', parameters: [limit], comparisons: [value] }]);
      return result.ok ? 'ok' : result.message;
    };
    expect(bad({ title: 't', a: { label: 'a', params: { limit: 99 } }, b: { label: 'b' } })).toBe('agents[0].comparisons[0].a.params.limit: expected an integer from 1 to 30, received 99');
    expect(bad({ title: 't', a: { label: 'a' }, b: { label: 'b', params: { count: 2 } } })).toBe('agents[0].comparisons[0].b.params.count: expected no such field (known: limit), received "count"');
    expect(bad({ title: '', a: { label: 'a' }, b: { label: 'b' } })).toBe('agents[0].comparisons[0].title: expected a string of 1 to 128 characters, received ""');
    expect(bad({ title: 't', a: { label: 'a' } })).toBe('agents[0].comparisons[0].b: expected an object, received undefined');
    expect(readAgentDescriptors([{ name: 'burst', parameters: [], comparisons: Array.from({ length: 11 }, () => comparisons[1]) }])).toMatchObject({ ok: false, path: 'agents[0].comparisons' });
  });
});
