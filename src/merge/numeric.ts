/** An int64 as a Profile field holds it: a number when it is a safe integer (what most readers expect), else the bigint. */
export function numeric(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(-Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
