import { describe, expect, it } from 'vitest';
import { describeFargate, fargateSizes, isValidFargateSize, smallestFargateFit } from '../../../analyzer/capacity/fargate.js';

describe('Fargate sizes', () => {
  it('knows the valid pairs and rejects the rest', () => {
    expect(isValidFargateSize({ cpuUnits: 256, memoryMiB: 512 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 256, memoryMiB: 3072 })).toBe(false);
    expect(isValidFargateSize({ cpuUnits: 512, memoryMiB: 4096 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 1024, memoryMiB: 1024 })).toBe(false);
    expect(isValidFargateSize({ cpuUnits: 2048, memoryMiB: 16384 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 4096, memoryMiB: 30720 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 4096, memoryMiB: 31744 })).toBe(false);
    // 8 vCPU: 16–60 GB in 4 GB steps; 16 vCPU: 32–120 GB in 8 GB steps
    expect(isValidFargateSize({ cpuUnits: 8192, memoryMiB: 20 * 1024 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 8192, memoryMiB: 17 * 1024 })).toBe(false);
    expect(isValidFargateSize({ cpuUnits: 16384, memoryMiB: 120 * 1024 })).toBe(true);
    expect(isValidFargateSize({ cpuUnits: 16384, memoryMiB: 36 * 1024 })).toBe(false);
    expect(isValidFargateSize({ cpuUnits: 3072, memoryMiB: 8192 })).toBe(false);
  });

  it('has 3 + 4 + 7 + 13 + 23 + 12 + 12 sizes', () => {
    expect(fargateSizes()).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12);
  });

  it('finds the smallest size that fits, CPU first', () => {
    expect(smallestFargateFit(1, 1)).toEqual({ cpuUnits: 256, memoryMiB: 512 });
    expect(smallestFargateFit(300, 0)).toEqual({ cpuUnits: 512, memoryMiB: 1024 });
    // 0.25 vCPU tops out at 2 GB: 3 GB moves up a CPU step
    expect(smallestFargateFit(256, 3072)).toEqual({ cpuUnits: 512, memoryMiB: 3072 });
    expect(smallestFargateFit(3 * 1024, 6 * 1024)).toEqual({ cpuUnits: 4096, memoryMiB: 8192 });
    expect(smallestFargateFit(4096, 31 * 1024)).toEqual({ cpuUnits: 8192, memoryMiB: 32 * 1024 });
    expect(smallestFargateFit(16384, 120 * 1024)).toEqual({ cpuUnits: 16384, memoryMiB: 120 * 1024 });
    expect(smallestFargateFit(16385, 0)).toBeUndefined();
    expect(smallestFargateFit(1024, 121 * 1024)).toBeUndefined();
  });

  it('describes a size the way people say it', () => {
    expect(describeFargate({ cpuUnits: 1024, memoryMiB: 2048 })).toBe('1 vCPU / 2 GB');
    expect(describeFargate({ cpuUnits: 256, memoryMiB: 512 })).toBe('0.25 vCPU / 0.5 GB');
  });
});
