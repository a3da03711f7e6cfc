/**
 * Energy and area estimates per component class, size, width and technology
 * node, for specs that do not give their own figures. Every figure carries
 * its source; these are first-order estimates, not a circuit model.
 *
 * Reference points (45 nm, 0.9 V) — M. Horowitz, "Computing's energy problem
 * (and what we can do about it)", ISSCC 2014:
 *   integer add 8-bit 0.03 pJ, 32-bit 0.1 pJ; multiply 8-bit 0.2 pJ, 32-bit 3.1 pJ
 *   float   add 16-bit 0.4 pJ, 32-bit 0.9 pJ; multiply 16-bit 1.1 pJ, 32-bit 3.7 pJ
 *   SRAM read of 64 bits: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ
 *   DRAM: 1.3–2.6 nJ per 64 bits (the low end is used: 20.3 pJ/bit)
 *   area: int add 8-bit 36 µm², 32-bit 137 µm²; int multiply 8-bit 282 µm², 32-bit 3495 µm²;
 *         float add 16-bit 1360 µm², 32-bit 4184 µm²; float multiply 16-bit 1640 µm², 32-bit 7700 µm²
 * HBM2: ≈ 3.9 pJ/bit (O'Connor et al., "Fine-grained DRAM", MICRO 2017).
 * Eyeriss (Chen et al., ISCA 2016): per-access energy relative to a MAC —
 *   DRAM 200×, global buffer 6×, array (inter-PE network) 2×, register file 1×.
 *
 * Scaling rules (stated, not measured):
 *   - SRAM and register-file access energy grows with the square root of the
 *     capacity (Horowitz' three SRAM points follow size^0.5 within 15%; the
 *     same trend CACTI gives) up to 1 MiB, beyond which arrays are banked and
 *     an access touches one bank; linear in access width; writes (fills,
 *     updates) cost the same as reads.
 *   - integer multiply energy and area grow with bits², add with bits.
 *   - dynamic energy scales linearly with the feature size (capacitance at
 *     fixed voltage), area with its square; DRAM energy does not scale with
 *     the logic node.
 *   - array-network energy per word = 2 × a MAC of the word width (Eyeriss' ratio).
 *   - SRAM area 0.7 µm²/bit at 45 nm (0.346 µm² 6T cell, ≈50% array
 *     efficiency); flip-flop register files 4× that. Estimates.
 */
export const TABLE_SOURCES = [
  "M. Horowitz, Computing's energy problem, ISSCC 2014 (45 nm energy and area per operation and SRAM/DRAM access)",
  "Y.-H. Chen et al., Eyeriss, ISCA 2016 (relative access energy: DRAM 200×, buffer 6×, array 2×, RF 1×)",
  "M. O'Connor et al., Fine-grained DRAM, MICRO 2017 (HBM2 ≈ 3.9 pJ/bit)",
];

const REF_NM = 45;
/** Larger arrays are banked: the energy of one access stops growing at this bank size. */
const BANK_BYTES = 1 << 20;

export type StorageClass = 'dram' | 'sram' | 'regfile';
export type DramKind = 'ddr' | 'hbm';
export type NumberKind = 'int' | 'float';

export interface Estimate {
  value: number;
  source: string;
}

function nodeScale(nm: number): number {
  return nm / REF_NM;
}

/** Energy (pJ) of one access of `blockBits` bits to a storage component. */
export function storageAccessEnergy(cls: StorageClass, capacityBytes: number, blockBits: number, nm: number, dram: DramKind = 'ddr'): Estimate {
  if (cls === 'dram') {
    const perBit = dram === 'hbm' ? 3.9 : 1300 / 64;
    return { value: perBit * blockBits, source: dram === 'hbm' ? 'HBM2 3.9 pJ/bit (O\'Connor MICRO\'17)' : 'DRAM 1.3 nJ per 64 bits (Horowitz ISSCC\'14)' };
  }
  // 10 pJ per 64-bit read of an 8 KB SRAM at 45 nm, ∝ sqrt(capacity), ∝ width, ∝ node.
  const size = Math.min(Math.max(capacityBytes, 64), BANK_BYTES);
  const per64 = 10 * Math.sqrt(size / 8192);
  return {
    value: per64 * (blockBits / 64) * nodeScale(nm),
    source: `${cls === 'sram' ? 'SRAM' : 'register file'} 10 pJ/64-bit at 8 KB, 45 nm (Horowitz ISSCC'14), ∝ sqrt(size) up to 1 MiB banks, ∝ width, ∝ node`,
  };
}

/** Area (µm²) of one storage instance. */
export function storageArea(cls: StorageClass, capacityBytes: number, nm: number): Estimate {
  if (cls === 'dram') return { value: 0, source: 'off-chip DRAM: no die area counted' };
  const perBit = cls === 'sram' ? 0.7 : 2.8;
  return { value: perBit * capacityBytes * 8 * nodeScale(nm) ** 2, source: `${perBit} µm²/bit at 45 nm (estimate), ∝ node²` };
}

function intMultiplyPj(bits: number): number {
  return 0.2 * (bits / 8) ** 2;
}

function intAddPj(bits: number): number {
  return 0.1 * (bits / 32);
}

function floatMultiplyPj(bits: number): number {
  return 1.1 * (bits / 16) ** 2;
}

function floatAddPj(bits: number): number {
  return 0.4 * (bits / 16);
}

/** Energy (pJ) of one multiply-accumulate: a multiply of the operand width and an add of the accumulator width. */
export function macEnergy(kind: NumberKind, operandBits: number, accumulatorBits: number, nm: number): Estimate {
  const pj = kind === 'int' ? intMultiplyPj(operandBits) + intAddPj(accumulatorBits) : floatMultiplyPj(operandBits) + floatAddPj(accumulatorBits);
  return {
    value: pj * nodeScale(nm),
    source: `${kind} ${operandBits}-bit multiply + ${accumulatorBits}-bit add (Horowitz ISSCC'14, multiply ∝ bits², add ∝ bits), ∝ node`,
  };
}

/** Area (µm²) of one MAC unit. */
export function macArea(kind: NumberKind, operandBits: number, accumulatorBits: number, nm: number): Estimate {
  const um2 =
    kind === 'int'
      ? 282 * (operandBits / 8) ** 2 + 137 * (accumulatorBits / 32)
      : 1640 * (operandBits / 16) ** 2 + 1360 * (accumulatorBits / 16);
  return { value: um2 * nodeScale(nm) ** 2, source: `${kind} multiplier + adder areas (Horowitz ISSCC'14), ∝ node²` };
}

/** Energy (pJ) to move one word across a PE-array network. */
export function networkWordEnergy(wordBits: number, nm: number): Estimate {
  return {
    value: 2 * macEnergy('int', wordBits, wordBits, nm).value,
    source: 'array network 2× a MAC of the word width (Eyeriss ISCA\'16 relative costs)',
  };
}

/** Energy (pJ) of one element-wise operation in a vector unit: an add of the word width. */
export function vectorOpEnergy(kind: NumberKind, bits: number, nm: number): Estimate {
  const pj = kind === 'int' ? intAddPj(bits) : floatAddPj(bits);
  return { value: pj * nodeScale(nm), source: `${kind} ${bits}-bit add (Horowitz ISSCC'14), ∝ node` };
}
