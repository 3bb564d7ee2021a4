import { seededRandom, streamSeed } from '../seededRandom.js';

const CITIES = ['Oslo', 'Lisbon', 'Nairobi', 'Osaka', 'Quito', 'Tromsø', 'Hobart', 'Reykjavík'];

type JsonSchema = Record<string, unknown>;

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Arguments for a tool call that fit the tool's JSON Schema, made up the same way every time for the
 * same `key`: every property of an object is filled (strict function calling requires them all);
 * strings by what their name suggests (a city for `city` or `location`, an order id for `orderId`,
 * the user's question for `query` or `question`...), numbers within their bounds, enums from their
 * values, arrays with one item. The local model uses it to ask for tools as a real one would.
 *
 * @param schema - the tool's `parameters`
 * @param key - what makes one call's arguments differ from another's (the prompt and the call's index)
 * @param question - the user's last message, for free-text properties
 *
 * @example
 * ```ts
 * exampleArguments({ type: 'object', properties: { city: { type: 'string' } } }, 'prompt#0', 'Is it raining?');
 * // { city: 'Osaka' }
 * ```
 */
export function exampleArguments(schema: Record<string, unknown>, key: string, question: string): unknown {
  const draw = seededRandom(streamSeed(0, key));
  return valueFor(schema, '', draw, question, 0);
}

function valueFor(schema: JsonSchema, name: string, draw: () => number, question: string, depth: number): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[Math.floor(draw() * schema.enum.length)];
  if ('const' in schema) return schema.const;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const usable = options.filter((option): option is JsonSchema => isSchema(option) && option.type !== 'null');
      if (usable.length > 0) return valueFor(usable[0]!, name, draw, question, depth);
    }
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null');
  if (type === undefined && isSchema(schema.properties)) type = 'object';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 4 || !isSchema(schema.properties)) return out;
      for (const [property, sub] of Object.entries(schema.properties)) {
        if (isSchema(sub)) out[property] = valueFor(sub, property, draw, question, depth + 1);
      }
      return out;
    }
    case 'array': {
      const items = isSchema(schema.items) ? schema.items : { type: 'string' };
      const count = typeof schema.minItems === 'number' && schema.minItems > 1 ? schema.minItems : 1;
      return Array.from({ length: count }, () => valueFor(items, name, draw, question, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min, 100);
      const value = min + draw() * (max - min);
      return type === 'integer' ? Math.round(value) : Number(value.toFixed(2));
    }
    case 'boolean':
      return draw() < 0.5;
    default:
      return stringFor(name, draw, question, schema);
  }
}

function stringFor(name: string, draw: () => number, question: string, schema: JsonSchema): string {
  const n = Math.floor(draw() * 10_000);
  const lower = name.toLowerCase();
  let value: string;
  if (/city|location|town|place/.test(lower)) value = CITIES[n % CITIES.length]!;
  else if (/order/.test(lower)) value = `A-${1000 + (n % 9000)}`;
  else if (/user|customer|account/.test(lower)) value = `u-${n % 1000}`;
  else if (/query|question|search|topic|text|prompt|q$/.test(lower)) value = question.slice(0, 120) || 'help';
  else if (schema.format === 'date' || /date|day/.test(lower)) value = `2025-0${1 + (n % 9)}-1${n % 10}`;
  else value = `${name || 'value'}-${n}`;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  return maxLength === undefined ? value : value.slice(0, maxLength);
}
