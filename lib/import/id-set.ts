/**
 * A set of ids kept as their UTF-8 bytes: one buffer of every id, and an open-addressing table
 * of their positions. Against a Set of strings it takes ids straight from the bytes of a file
 * (lib/import/byte-row-writer.ts: no string per cell to look up) and straight from one text of
 * the warehouse's ids (lib/import/known-ids.ts: no string per id, no Set of millions of
 * entries to build: at 2,000,000 members that was most of the import's fixed cost).
 *
 * Equal ids are equal bytes: UTF-8 encodes each well-formed string one way. A string that is
 * not well formed (a lone surrogate, which only JSON can make) has no bytes of its own, and is
 * kept apart as a string (`loose`); no file's bytes can equal it.
 */
export class IdSet {
  private bytes: Buffer;
  private used = 0;
  private starts: Int32Array;
  private ends: Int32Array;
  private count = 0;
  /** Entry index + 1 per slot, 0 when free; the size is a power of two, at least twice `count`. */
  private slots: Int32Array;
  private readonly loose = new Set<string>();
  private scratch = Buffer.allocUnsafe(256);
  /** The entry the last lookup found, -1 before one did (see hasBytes). */
  private lastFound = -1;

  constructor(expected = 16, expectedBytes = 16 * expected) {
    this.bytes = Buffer.allocUnsafe(Math.max(64, expectedBytes));
    this.starts = new Int32Array(Math.max(16, expected));
    this.ends = new Int32Array(Math.max(16, expected));
    let size = 32;
    while (size < 2 * expected) size *= 2;
    this.slots = new Int32Array(size);
  }

  /** The ids of `text` between its line ends (`\n`), as `split("\n")` would give them, each
   *  added; and how many lines there were (a count of ids that differs means an id held a line
   *  end). */
  static ofLines(text: Uint8Array): { set: IdSet; lines: number } {
    let lines = 1;
    for (let i = 0; i < text.length; i++) if (text[i] === 10) lines++;
    // The ids stay where they are: the set keeps the text as its bytes.
    const set = new IdSet(lines, 0);
    set.bytes = Buffer.from(text.buffer, text.byteOffset, text.length);
    set.used = text.length;
    let from = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i === text.length || text[i] === 10) {
        set.insert(text, from, i, from);
        from = i + 1;
      }
    }
    return { set, lines };
  }

  get size(): number {
    return this.count + this.loose.size;
  }

  add(id: string): void {
    if (!isWellFormed(id)) {
      this.loose.add(id);
      return;
    }
    const length = this.encode(id);
    this.addBytes(this.scratch, 0, length);
  }

  has(id: string): boolean {
    if (!isWellFormed(id)) return this.loose.has(id);
    const length = this.encode(id);
    return this.hasBytes(this.scratch, 0, length);
  }

  /**
   * Whether the id whose UTF-8 bytes are src[from, to) is in the set.
   *
   * The entry after the last one found is tried first: a file often names ids in the order the
   * set holds them (a claims extract sorted by member, checked against the members as the
   * warehouse lists them), and that entry sits next to the last one in memory, where a slot of
   * the hash table is a read from anywhere in it. When it is not the id, one comparison is lost.
   */
  hasBytes(src: Uint8Array, from: number, to: number): boolean {
    const next = this.lastFound + 1;
    if (next > 0 && next < this.count && this.equals(next, src, from, to)) {
      this.lastFound = next;
      return true;
    }
    const mask = this.slots.length - 1;
    for (let slot = hashOf(src, from, to) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return false;
      if (this.equals(entry - 1, src, from, to)) {
        this.lastFound = entry - 1;
        return true;
      }
    }
  }

  addBytes(src: Uint8Array, from: number, to: number): void {
    this.insert(src, from, to, -1);
  }

  /** Adds src[from, to); `at`: where the set's own bytes hold it already, or -1 to copy it. */
  private insert(src: Uint8Array, from: number, to: number, at: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.rehash(2 * this.slots.length);
    const mask = this.slots.length - 1;
    let slot = hashOf(src, from, to) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      if (this.equals(entry - 1, src, from, to)) return;
    }
    const length = to - from;
    if (this.count === this.starts.length) {
      this.starts = grownInts(this.starts);
      this.ends = grownInts(this.ends);
    }
    if (at !== -1) {
      this.starts[this.count] = at;
      this.ends[this.count] = at + length;
      this.slots[slot] = ++this.count;
      return;
    }
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    const bytes = this.bytes;
    let p = this.used;
    for (let i = from; i < to; i++) bytes[p++] = src[i]!;
    this.starts[this.count] = this.used;
    this.ends[this.count] = p;
    this.used = p;
    this.slots[slot] = ++this.count;
  }

  private equals(entry: number, src: Uint8Array, from: number, to: number): boolean {
    const start = this.starts[entry]!;
    if (this.ends[entry]! - start !== to - from) return false;
    const bytes = this.bytes;
    for (let i = from, j = start; i < to; i++, j++) if (bytes[j] !== src[i]) return false;
    return true;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = hashOf(this.bytes, this.starts[entry]!, this.ends[entry]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }

  /** Writes the id's UTF-8 bytes to `scratch`; returns their number. */
  private encode(id: string): number {
    if (3 * id.length > this.scratch.length) this.scratch = Buffer.allocUnsafe(3 * id.length);
    return this.scratch.write(id, 0, "utf8");
  }
}

/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript target lacks). */
function isWellFormed(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return !LONE_SURROGATE.test(id);
  }
  return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function grownInts(array: Int32Array): Int32Array {
  const grown = new Int32Array(2 * array.length);
  grown.set(array);
  return grown;
}

/** FNV-1a over the bytes, then mixed so that the low bits (the slot) depend on every byte. Also
 *  the slot of a remembered cell (byte-row-writer.ts). */
export function hashOf(src: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
