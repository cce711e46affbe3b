import type { WantedRange } from './_wanted-range.ts';

/** Wanted ranges ordered by the next host byte each needs, so that bytes passing in file order find them. */
export interface RangeHeap {
  readonly size: number;
  push(range: WantedRange): void;
  /** The range that needs the lowest host byte, left in the heap. */
  peek(): WantedRange | undefined;
  pop(): WantedRange | undefined;
}

/** A binary min-heap on `range.next`. */
export function createRangeHeap(): RangeHeap {
  const items: WantedRange[] = [];

  function swap(a: number, b: number): void {
    const item = items[a] as WantedRange;
    items[a] = items[b] as WantedRange;
    items[b] = item;
  }

  function key(index: number): number {
    return (items[index] as WantedRange).next;
  }

  return {
    get size() {
      return items.length;
    },
    push(range: WantedRange): void {
      items.push(range);
      let child = items.length - 1;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (key(parent) <= key(child)) break;
        swap(parent, child);
        child = parent;
      }
    },
    peek(): WantedRange | undefined {
      return items[0];
    },
    pop(): WantedRange | undefined {
      const top = items[0];
      const last = items.pop();
      if (items.length > 0 && last !== undefined) {
        items[0] = last;
        let parent = 0;
        for (;;) {
          const left = parent * 2 + 1;
          const right = left + 1;
          let smallest = parent;
          if (left < items.length && key(left) < key(smallest)) smallest = left;
          if (right < items.length && key(right) < key(smallest)) smallest = right;
          if (smallest === parent) break;
          swap(parent, smallest);
          parent = smallest;
        }
      }
      return top;
    },
  };
}
