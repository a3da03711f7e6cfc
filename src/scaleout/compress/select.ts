/**
 * The k-th largest value (k = 1 is the maximum) in expected linear time
 * (quickselect with a median-of-three pivot); `values` is left untouched.
 */
export function kthLargest(values: Float32Array, k: number): number {
  const n = values.length;
  if (k < 1 || k > n) throw new Error(`k = ${k} out of range for ${n} values`);
  const a = Float32Array.from(values);
  // the k-th largest is the (n − k)-th smallest (0-based)
  const target = n - k;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = median3(a[lo]!, a[mid]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[lo]!;
}

function median3(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}
