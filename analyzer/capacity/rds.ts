/**
 * RDS for PostgreSQL connection limits. The default parameter group sets
 *   max_connections = LEAST({DBInstanceClassMemory / 9531392}, 5000)
 * where DBInstanceClassMemory is the memory left for the database after the OS and RDS processes — below the
 * class's nominal memory, and AWS does not publish it per class. The fractions below are calibrated on the values
 * `SHOW max_connections` reports on default parameter groups: db.t2.small (2 GiB) 198, db.t2.medium (4 GiB) 413,
 * db.m4.large (8 GiB) 856 (each reproduced exactly by the table: see test/unit/capacity/rds.test.ts). The 1 GiB
 * fraction (77%) is an estimate, not a published point; above 8 GiB the 95% of the 8 GiB point is used.
 * Nominal memory per class: AWS "DB instance class types — hardware specifications".
 */
import { UsageError } from '../../common/errors.js';
import { num } from './format.js';
import type { FormulaLine } from './types.js';

export const RDS_TABLE_SOURCE =
  'nominal memory: AWS RDS "DB instance classes" hardware specifications; DBInstanceClassMemory fractions ' +
  'calibrated on observed max_connections (db.t2.small 198, db.t2.medium 413, db.m4.large 856); 1 GiB estimated';

export const MAX_CONNECTIONS_DIVISOR = 9531392;
export const MAX_CONNECTIONS_CAP = 5000;
/** PostgreSQL's default superuser_reserved_connections: slots an application user can never take. */
export const RESERVED_CONNECTIONS = 3;

export interface RdsClass {
  name: string;
  memoryGiB: number;
  /** an older generation kept because its published max_connections calibrates the table */
  legacy?: boolean;
}

const sizesT = [
  ['micro', 1],
  ['small', 2],
  ['medium', 4],
  ['large', 8],
  ['xlarge', 16],
  ['2xlarge', 32],
] as const;
const sizesM = [
  ['large', 8],
  ['xlarge', 16],
  ['2xlarge', 32],
  ['4xlarge', 64],
] as const;
const sizesR = [
  ['large', 16],
  ['xlarge', 32],
  ['2xlarge', 64],
  ['4xlarge', 128],
] as const;

function family(prefix: string, sizes: readonly (readonly [string, number])[]): RdsClass[] {
  return sizes.map(([size, memoryGiB]) => ({ name: `db.${prefix}.${size}`, memoryGiB }));
}

export const RDS_CLASSES: readonly RdsClass[] = [
  ...family('t3', sizesT),
  ...family('t4g', sizesT),
  ...family('m5', sizesM),
  ...family('m6g', sizesM),
  ...family('m7g', sizesM),
  ...family('r5', sizesR),
  ...family('r6g', sizesR),
  { name: 'db.t2.micro', memoryGiB: 1, legacy: true },
  { name: 'db.t2.small', memoryGiB: 2, legacy: true },
  { name: 'db.t2.medium', memoryGiB: 4, legacy: true },
  { name: 'db.m4.large', memoryGiB: 8, legacy: true },
];

/** Share of nominal memory that RDS reports as DBInstanceClassMemory (see the header for where these come from). */
export function dbMemoryFraction(memoryGiB: number): number {
  if (memoryGiB <= 1) return 0.77;
  if (memoryGiB <= 2) return 0.88;
  if (memoryGiB <= 4) return 0.917;
  return 0.95;
}

export function findRdsClass(name: string): RdsClass {
  const wanted = name.trim().toLowerCase();
  const found = RDS_CLASSES.find((c) => c.name === wanted || c.name === `db.${wanted}`);
  if (!found) {
    throw new UsageError(
      `unknown DB instance class "${name}"`,
      `known classes: ${RDS_CLASSES.map((c) => c.name).join(', ')}`,
    );
  }
  return found;
}

export function dbInstanceClassMemory(cls: RdsClass): FormulaLine {
  const fraction = dbMemoryFraction(cls.memoryGiB);
  return {
    name: 'rds.db-instance-class-memory',
    formula: 'DBInstanceClassMemory = nominal memory × fraction',
    substituted: `DBInstanceClassMemory = ${num(cls.memoryGiB)} GiB × ${num(fraction)} (${cls.name})`,
    result: Math.floor(cls.memoryGiB * 1024 ** 3 * fraction),
    unit: 'bytes',
  };
}

/** The default parameter group's formula; RDS truncates the division to a whole number of connections. */
export function maxConnections(dbMemoryBytes: number): FormulaLine {
  const result = Math.min(Math.floor(dbMemoryBytes / MAX_CONNECTIONS_DIVISOR), MAX_CONNECTIONS_CAP);
  return {
    name: 'rds.max-connections',
    formula: 'max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000)',
    substituted: `max_connections = LEAST(${dbMemoryBytes} / ${MAX_CONNECTIONS_DIVISOR}, ${MAX_CONNECTIONS_CAP})`,
    result,
    unit: 'connections',
  };
}

export function maxConnectionsOf(cls: RdsClass): number {
  return maxConnections(dbInstanceClassMemory(cls).result).result;
}

export function usableConnectionsOf(cls: RdsClass): number {
  return Math.max(0, maxConnectionsOf(cls) - RESERVED_CONNECTIONS);
}

/** Every worker's pool can hold `poolSize` connections open at once, in every task. */
export function connectionsNeeded(poolSize: number, workers: number, tasks: number, name = 'rds.connections-needed'): FormulaLine {
  return {
    name,
    formula: 'connections = pool size × workers × tasks',
    substituted: `connections = ${num(poolSize)} × ${num(workers)} × ${num(tasks)}`,
    result: poolSize * workers * tasks,
    unit: 'connections',
  };
}

/**
 * The smallest current-generation class whose usable connections hold `needed`: least memory first; among equal
 * memory, the current class's family first (staying on t4g or m6g avoids an architecture change), then table order.
 */
export function smallestRdsClassFor(needed: number, currentClass?: string): RdsClass | undefined {
  const currentFamily = currentClass?.split('.')[1];
  const fitting = RDS_CLASSES.filter((c) => !c.legacy && usableConnectionsOf(c) >= needed);
  let best: RdsClass | undefined;
  for (const c of fitting) {
    if (!best || c.memoryGiB < best.memoryGiB) best = c;
    else if (c.memoryGiB === best.memoryGiB && c.name.split('.')[1] === currentFamily && best.name.split('.')[1] !== currentFamily) best = c;
  }
  return best;
}
