/**
 * Error messages become templates so that "todo 123 not found" and "todo 456 not found" count as one message.
 * Masked: quoted values, UUIDs, hex ids, numbers. Capped in length: messages are attacker-influenced text.
 */
const QUOTED = /"[^"]*"|'[^']*'|`[^`]*`/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?=[a-f]*\d)[0-9a-f]{8,}\b/gi;
const NUMBER = /\b\d+(\.\d+)?\b/g;
const MAX_TEMPLATE = 200;

export function messageTemplate(message: string): string {
  const masked = message
    .replace(QUOTED, '"<v>"')
    .replace(UUID, '<uuid>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return masked.length > MAX_TEMPLATE ? `${masked.slice(0, MAX_TEMPLATE)}…` : masked;
}
