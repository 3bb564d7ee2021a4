/**
 * Cuts text into the pieces the local model streams, one token each: a word with the space before it,
 * long words in pieces of four characters, as real tokenizers roughly do (about four characters a token
 * in English). Joined, the pieces give the text back exactly.
 *
 * @example
 * ```ts
 * splitTokens('Hello, wonderful world'); // ['Hello,', ' wond', 'erfu', 'l', ' world']
 * ```
 */
export function splitTokens(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) {
    if (word.length <= 6) {
      pieces.push(word);
      continue;
    }
    for (let i = 0; i < word.length; i += 4) pieces.push(word.slice(i, i + 4));
  }
  return pieces;
}

/**
 * Tokens a prompt counts for: about four characters a token, plus three per message for the chat
 * format, as OpenAI's own estimate goes.
 *
 * @example
 * ```ts
 * promptTokens(['You are terse.', 'What is the weather in Oslo?']); // 6 + 3 * 2 ...
 * ```
 */
export function promptTokens(texts: readonly string[]): number {
  let characters = 0;
  for (const text of texts) characters += text.length;
  return Math.ceil(characters / 4) + 3 * texts.length;
}
