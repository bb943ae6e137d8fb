/** Counts check results by name, in first-seen order (k6 lists checks in the order they first ran). */
export class CheckCounter {
  private readonly counts = new Map<string, { passes: number; fails: number }>();
  passes = 0;
  fails = 0;

  record(name: string, passed: boolean): void {
    let entry = this.counts.get(name);
    if (!entry) {
      entry = { passes: 0, fails: 0 };
      this.counts.set(name, entry);
    }
    if (passed) {
      entry.passes++;
      this.passes++;
    } else {
      entry.fails++;
      this.fails++;
    }
  }

  entries(): Array<{ name: string; passes: number; fails: number }> {
    return [...this.counts].map(([name, c]) => ({ name, passes: c.passes, fails: c.fails }));
  }
}
