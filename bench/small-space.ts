import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpace, type DesignSpace } from '../src/explore/space.js';

/** The benchmarks' small Eyeriss-like space (4 × 3 × 4 × 3 = 144 designs: PE array, global buffer, DRAM bandwidth), written to a temporary file and loaded. */
export function smallEyerissSpace(name: string): DesignSpace {
  const file = join(mkdtempSync(join(tmpdir(), `accelmap-${name}-`)), 'space.yaml');
  writeFileSync(
    file,
    `name: ${name}
arch: eyeriss
knobs:
  - { name: pe_x, path: "levels[name=InputSpad].fanOut.x", values: [8, 12, 14, 16] }
  - { name: pe_y, path: "levels[name=InputSpad].fanOut.y", values: [8, 12, 16] }
  - { name: glb, path: "levels[name=GlobalBuffer].capacity", values: [16KiB, 32KiB, 64KiB, 128KiB] }
  - { name: dram_bw, path: "levels[name=DRAM].sharedBandwidth", values: [2, 4, 8] }
`,
  );
  return loadSpace(file);
}
