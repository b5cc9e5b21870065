/** What a body chunk is (APP-04), and how engine messages name what it got instead. */

// %TypedArray%.prototype[@@toStringTag]: the view's type name from its internal slot, so it
// works across realms and cannot be faked by an own Symbol.toStringTag.
const _typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

/**
 * APP-04: a Uint8Array by brand, from any realm (a Buffer qualifies); every other view and
 * ArrayBuffer is not. `instanceof` first: it decides every ordinary chunk.
 */
export function isChunk(v: unknown): v is Uint8Array {
  return (
    v instanceof Uint8Array || (ArrayBuffer.isView(v) && _typedArrayName.call(v) === 'Uint8Array')
  );
}

/** Names a value for an error message. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (isChunk(v)) return 'a bare Uint8Array';
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}
