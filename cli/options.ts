/** Option helpers shared by the commands: flag text -> value, bad input a UsageError (exit 2) naming the flag. */
import { UsageError } from '../common/errors.js';

/** A finite number; the caller checks its range (the lab's and the runner's own validation do). */
export function numberFlag(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got "${text.slice(0, 50)}"`);
  return value;
}
